/** Maps ffmpeg's stderr to one readable sentence; the raw text stays in logs only. */
const rules: Array<[RegExp, string]> = [
  [/No such file or directory/i, 'file not found'],
  [/Permission denied|Read-only file system/i, 'permission denied'],
  [/No space left on device|ENOSPC/i, 'disk full'],
  [
    /Output file #0 does not contain any stream|matches no streams|does not contain any stream/i,
    'no video stream',
  ],
  [
    /Invalid data found|could not find codec parameters|moov atom not found|Invalid argument|End of file/i,
    'not a readable image or video',
  ],
];

/** "<subject>: <what went wrong>", from ffmpeg's stderr. */
export function describeFfmpegError(stderr: string, subject: string): string {
  for (const [pattern, text] of rules) {
    if (pattern.test(stderr)) return `${subject}: ${text}`;
  }
  const lastLine = stderr.trim().split('\n').filter(Boolean).pop() ?? 'ffmpeg failed';
  return `${subject}: ${lastLine.slice(0, 200)}`;
}
