import { useEffect, useState } from 'react';
import type { DirectoryListing, FileKind } from '../../../src-shared/api';
import { api } from '../api-client';

export interface FileFieldProps {
  label: string;
  kind: FileKind;
  value: string;
  desktop: boolean;
  onLoad(path: string): void;
  /** Text of the submit button (default "Load"). */
  action?: string;
  disabled?: boolean;
  /** A second button that acts on the typed path (it may be empty), e.g. Save beside Open. */
  extra?: { label: string; run(text: string): void };
}

const PLACEHOLDER = {
  image: 'path to an image',
  video: 'path to a video',
  checkpoint: 'path to a .pth.tar checkpoint',
  project: 'path to a .marionette project',
};

/** A path field with Load, and Browse: the native dialog in the app, a folder browser in a browser. */
export function FileField({
  label,
  kind,
  value,
  desktop,
  onLoad,
  action = 'Load',
  disabled,
  extra,
}: FileFieldProps) {
  const [text, setText] = useState(value);
  const [browsing, setBrowsing] = useState(false);
  useEffect(() => setText(value), [value]);
  const browse = async () => {
    if (!desktop) return setBrowsing(true);
    const picked = await api.invoke('openFileDialog', kind);
    if (picked) onLoad(picked);
  };
  return (
    <div className="file-field">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) onLoad(text.trim());
        }}
      >
        <label>
          {label}
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={PLACEHOLDER[kind]} />
        </label>
        <button type="submit" disabled={disabled}>
          {action}
        </button>
        <button type="button" disabled={disabled} onClick={() => void browse()}>
          Browse…
        </button>
        {extra && (
          <button type="button" disabled={disabled} onClick={() => extra.run(text.trim())}>
            {extra.label}
          </button>
        )}
      </form>
      {browsing && (
        <FolderBrowser
          kind={kind}
          onPick={(p) => {
            setBrowsing(false);
            onLoad(p);
          }}
          onClose={() => setBrowsing(false)}
        />
      )}
    </div>
  );
}

function FolderBrowser({
  kind,
  onPick,
  onClose,
}: {
  kind: FileFieldProps['kind'];
  onPick(path: string): void;
  onClose(): void;
}) {
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = (dir: string | null) => {
    api.invoke('listDirectory', dir).then(setListing, (err: Error) => setError(err.message));
  };
  useEffect(() => open(null), []);
  return (
    <div className="folder-browser" role="dialog" aria-label="Choose a file">
      <header>
        <span>{listing?.path ?? '…'}</span>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      {error && <p role="alert">{error}</p>}
      <ul>
        {listing?.parent && (
          <li>
            <button type="button" onClick={() => open(listing.parent)}>
              ⬑ ..
            </button>
          </li>
        )}
        {listing?.entries
          .filter((e) => e.kind === 'folder' || e.kind === kind)
          .map((e) => (
            <li key={e.path}>
              <button type="button" onClick={() => (e.kind === 'folder' ? open(e.path) : onPick(e.path))}>
                {e.kind === 'folder' ? '📁 ' : ''}
                {e.name}
              </button>
            </li>
          ))}
      </ul>
    </div>
  );
}
