import type { ReactNode } from 'react';
import type { CommandId } from '../../../src-shared/commands';
import { useCommand } from '../commands';

/** A button that runs a registry command: disabled with the reason while it cannot run, its keys in the tooltip. */
export function CommandButton({
  id,
  className,
  children,
}: {
  id: CommandId;
  className?: string;
  children: ReactNode;
}) {
  const command = useCommand(id);
  return (
    <button
      type="button"
      className={className}
      onClick={command.run}
      disabled={command.disabled}
      title={command.title}
      aria-keyshortcuts={command['aria-keyshortcuts']}
    >
      {children}
    </button>
  );
}
