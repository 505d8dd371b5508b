/** Maps ffmpeg's stderr to one readable sentence; the raw text stays in logs only. */
export type MediaErrorKind =
  'not-found' | 'permission' | 'disk-full' | 'invalid-data' | 'no-video' | 'unknown';

export interface MediaFailure {
  kind: MediaErrorKind;
  message: string;
}

const rules: Array<[RegExp, MediaErrorKind, string]> = [
  [/No such file or directory/i, 'not-found', 'file not found'],
  [/Permission denied|Read-only file system/i, 'permission', 'permission denied'],
  [/No space left on device|ENOSPC/i, 'disk-full', 'disk full'],
  [
    /Output file #0 does not contain any stream|matches no streams|does not contain any stream/i,
    'no-video',
    'no video stream',
  ],
  [
    /Invalid data found|could not find codec parameters|moov atom not found|Invalid argument|End of file/i,
    'invalid-data',
    'not a readable image or video',
  ],
];

export function classifyFfmpegError(stderr: string, subject: string): MediaFailure {
  for (const [pattern, kind, text] of rules) {
    if (pattern.test(stderr)) return { kind, message: `${subject}: ${text}` };
  }
  const lastLine = stderr.trim().split('\n').filter(Boolean).pop() ?? 'ffmpeg failed';
  return { kind: 'unknown', message: `${subject}: ${lastLine.slice(0, 200)}` };
}
