/** A Markdown table: the bench's and gpu-bench's output, pasted as it is into the README. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')).replaceAll(' ', ''), ...rows.map(line)].join('\n');
}
