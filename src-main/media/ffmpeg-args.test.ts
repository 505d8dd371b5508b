import { describe, expect, it } from 'vitest';
import { decodeArgs, encodeArgs, formatSeconds, framingFilter, piecewiseLinear } from './ffmpeg-args.js';
import { describeFfmpegError } from './ffmpeg-errors.js';
import { interpretProbe, parseRational } from './probe.js';

describe('ffmpeg arguments', () => {
  it('crops the centre square by default, or the given square, then scales', () => {
    expect(framingFilter(null, 256, 256)).toBe(
      "crop='min(iw,ih)':'min(iw,ih)',scale=256:256:flags=area,setsar=1",
    );
    expect(framingFilter({ x: 10, y: 20, size: 300 }, 128, 128)).toBe(
      'crop=300:300:10:20,scale=128:128:flags=area,setsar=1',
    );
  });

  it('writes a moving square as per-frame expressions of t, shifted to the trimmed start', () => {
    // Evaluates ffmpeg's if/lt expression syntax for the test.
    const evaluate = (expr: string, t: number) =>
      new Function('t', 'iff', 'lt', `return ${expr.replaceAll('if(', 'iff(')};`)(
        t,
        (c: number, a: number, b: number) => (c ? a : b),
        (a: number, b: number) => (a < b ? 1 : 0),
      ) as number;
    const expr = piecewiseLinear([
      [1, 10],
      [3, 30],
      [4, 0],
    ]);
    expect([0, 1, 2, 3, 3.5, 9].map((t) => evaluate(expr, t))).toEqual([10, 10, 20, 30, 15, 0]);
    const track = {
      size: 200,
      keys: [
        { t: 2, x: 4, y: 6 },
        { t: 4, x: 8, y: 6 },
      ],
    };
    const filter = framingFilter(track, 64, 64, 1.5);
    expect(filter).toMatch(/^crop=w=200:h=200:x='.*':y='.*':exact=1,scale=64:64/);
    const x = /x='([^']*)'/.exec(filter)![1]!;
    expect([0, 0.5, 1.5, 2.5, 9].map((t) => evaluate(x, t))).toEqual([4, 4, 6, 8, 8]);
  });

  it('decodes a trimmed range to raw RGB without re-timing', () => {
    const args = decodeArgs({ input: 'in.mp4', width: 64, height: 64, crop: null, trimIn: 1.5, trimOut: 4 });
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4)).toEqual([
      '-ss',
      '1.500000',
      '-t',
      '2.500000',
    ]);
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.slice(-7)).toEqual([
      '-vsync',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ]);
  });

  it('encodes H.264 yuv420p with faststart at the exact rate, with the same audio range', () => {
    const args = encodeArgs({
      output: 'o.mp4',
      width: 128,
      height: 128,
      fps: { num: 30000, den: 1001 },
      crf: 20,
      outputSize: 511,
      audio: { input: 'd.mp4', trimIn: 2, duration: 3 },
    });
    const joined = args.join(' ');
    expect(joined).toContain(
      '-r 30000/1001 -i pipe:0 -ss 2.000000 -t 3.000000 -i d.mp4 -map 0:v:0 -map 1:a:0?',
    );
    expect(joined).toContain('scale=510:510:flags=lanczos'); // even sides for yuv420p
    expect(joined).toContain('-c:v libx264 -preset medium -crf 20 -pix_fmt yuv420p -c:a aac');
    expect(args.slice(-5)).toEqual(['-movflags', '+faststart', '-f', 'mp4', '-y', 'o.mp4'].slice(-5));
  });

  it('formats seconds without exponents', () => {
    expect(formatSeconds(1e-7)).toBe('0.000000');
    expect(formatSeconds(12.3456789)).toBe('12.345679');
  });
});

describe('ffprobe interpretation', () => {
  it('reads an exact NTSC rate and audio', () => {
    const info = interpretProbe(
      {
        streams: [
          {
            codec_type: 'video',
            codec_name: 'h264',
            width: 640,
            height: 360,
            avg_frame_rate: '30000/1001',
            nb_frames: '300',
            duration: '10.01',
          },
          { codec_type: 'audio', codec_name: 'aac' },
        ],
        format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.01' },
      },
      'clip',
    );
    expect(info).toEqual({
      kind: 'video',
      width: 640,
      height: 360,
      fps: { num: 30000, den: 1001 },
      duration: 10.01,
      hasAudio: true,
    });
  });
  it('recognises still images', () => {
    expect(
      interpretProbe(
        {
          streams: [{ codec_type: 'video', codec_name: 'png', width: 10, height: 20 }],
          format: { format_name: 'png_pipe' },
        },
        'x',
      ).kind,
    ).toBe('image');
  });
  it('names what is missing', () => {
    expect(() => interpretProbe({ streams: [{ codec_type: 'audio' }], format: {} }, 'clip.wav')).toThrow(
      'clip.wav: no video stream',
    );
    expect(() =>
      interpretProbe({ streams: [{ codec_type: 'video', width: 0, height: 0 }], format: {} }, 'a.jpg'),
    ).toThrow('a.jpg: not a readable image or video');
  });
  it('parses only positive rationals', () => {
    expect(parseRational('25/1')).toEqual({ num: 25, den: 1 });
    expect(parseRational('0/0')).toBeNull();
    expect(parseRational('abc')).toBeNull();
  });
});

describe('ffmpeg error messages', () => {
  it.each([
    ['out.mp4: No space left on device', /disk full/],
    ['in.mp4: Invalid data found when processing input', /not a readable image or video/],
    ['/x: Permission denied', /permission denied/],
  ])('%s', (stderr, expected) => {
    expect(describeFfmpegError(stderr, 'subject')).toMatch(expected);
  });
});
