/**
 * Nothing of the user's is deleted or replaced, and no input freezes or crashes the CLI: the
 * output rule (devices, FIFOs, existing files, containers), signals, orphaned temporaries,
 * orientation, damaged photos, batches and projects. Each case runs the real bundled CLI.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBinary } from '../media/binaries.js';
import { journalDir } from '../media/partial-journal.js';
import { DATASETS, DRIVING, SOURCE, TINY_MODEL, ffprobe, tempDir } from '../test-support/fixtures.js';

const CLI = path.resolve('dist/cli.mjs');
const FFMPEG = resolveBinary('ffmpeg').path;
const LONG_CLIP = path.join(DATASETS, 'faces/driving_videos/liveportrait/lp_d10.mp4');

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, MARIONETTE_HOME: tempDir('marionette-home-'), ...env },
  });
  return { code: proc.status, stdout: proc.stdout, stderr: proc.stderr.trim() };
}

const animate = (out: string, extra: string[] = [], driving = DRIVING) => [
  'animate',
  '--model',
  TINY_MODEL,
  '--source',
  SOURCE,
  '--driving',
  driving,
  '-q',
  '-o',
  out,
  ...extra,
];

describe('the output rule', () => {
  it('refuses a device and leaves it a device', () => {
    const result = cli(animate('/dev/full'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\/dev\/full is a device, not a file/);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('refuses a FIFO at once (never blocks on it) and a folder', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    const result = cli(animate(fifo));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pipe\.mp4 is a FIFO \(named pipe\), not a file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    mkdirSync(path.join(dir, 'folder.mp4'));
    expect(cli(animate(path.join(dir, 'folder.mp4'))).stderr).toMatch(/folder\.mp4 is a folder/);
  });

  it('replaces an existing file only with --overwrite / -y', () => {
    const dir = tempDir();
    const out = path.join(dir, 'notes.mp4');
    writeFileSync(out, 'my notes');
    const refused = cli(animate(out));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /notes\.mp4 already exists: choose another name, or pass --overwrite \(-y\)/,
    );
    expect(readFileSync(out, 'utf8')).toBe('my notes');
    expect(readdirSync(dir)).toEqual(['notes.mp4']);
    expect(cli(animate(out, ['-y'])).code).toBe(0);
    expect(ffprobe(out).streams[0]!.codec_name).toBe('h264');
    expect(readdirSync(dir)).toEqual(['notes.mp4']);
  });

  it('lets the extension choose the container, or refuses it', () => {
    const dir = tempDir();
    const bad = cli(animate(path.join(dir, 'x.txt')));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot write a "\.txt" file: name the output \.mp4/);
    expect(cli(animate(path.join(dir, 'x.mp4'), ['--format', 'webm'])).stderr).toMatch(
      /webm output must be named with \.webm/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  // Every export format an editor is expected to offer, checked with ffprobe.
  it.each([
    ['x.mp4', [], 'mov,mp4,m4a,3gp,3g2,mj2', 'h264', 'aac'],
    ['x.mkv', ['--format', 'h265'], 'matroska,webm', 'hevc', 'aac'],
    ['x.mov', [], 'mov,mp4,m4a,3gp,3g2,mj2', 'prores', 'pcm_s16le'],
    ['x.mov', ['--format', 'prores-4444'], 'mov,mp4,m4a,3gp,3g2,mj2', 'prores', 'pcm_s16le'],
    ['x.webm', [], 'matroska,webm', 'vp9', 'opus'],
    ['x.gif', [], 'gif', 'gif', null],
    ['x.mkv', [], 'matroska,webm', 'ffv1', 'flac'],
  ] as const)('%s %j is %s with %s', (name, flags, container, video, audio) => {
    const dir = tempDir();
    const out = path.join(dir, name);
    const result = cli(animate(out, [...flags]));
    expect(result.code, result.stderr).toBe(0);
    const probe = ffprobe(out);
    expect(probe.format.format_name).toBe(container);
    const v = probe.streams.find((s) => s.codec_type === 'video')!;
    expect(v.codec_name).toBe(video);
    expect(Number(v.nb_read_frames)).toBe(16);
    expect(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name ?? null).toBe(audio);
    expect(readdirSync(dir)).toEqual([name]);
  });

  it('writes a PNG sequence into a new folder, never into an existing one', () => {
    const dir = tempDir();
    const out = path.join(dir, 'frames');
    expect(cli(animate(out, ['--format', 'png-sequence'])).code).toBe(0);
    const frames = readdirSync(out);
    expect(frames).toHaveLength(16);
    expect(frames[0]).toBe('frame_000001.png');
    const again = cli(animate(out, ['--format', 'png-sequence', '-y']));
    expect(again.stderr).toMatch(/frames already exists: choose a new folder name/);
    expect(readdirSync(out)).toHaveLength(16);
    expect(readdirSync(dir)).toEqual(['frames']);
  });
});

describe('batch', () => {
  it('never writes one file twice: photos with the same name get numbered outputs', () => {
    const dir = tempDir();
    for (const sub of ['b1', 'b2']) {
      mkdirSync(path.join(dir, sub));
      copyFileSync(SOURCE, path.join(dir, sub, 'face.png'));
    }
    const out = path.join(dir, 'out');
    const result = cli([
      'batch',
      '--model',
      TINY_MODEL,
      '-q',
      '--out-dir',
      out,
      '--drivings',
      DRIVING,
      '--sources',
      `${path.join(dir, 'b1', 'face.png')},${path.join(dir, 'b2', 'face.png')}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['face__driving-2.mp4', 'face__driving.mp4']);
    expect(result.stdout.match(/wrote/g)).toHaveLength(2);
  });
});

/** Start a long render and wait until it is encoding; resolves with the child. */
function startLongRender(out: string, home: string) {
  const child = spawn(
    process.execPath,
    [CLI, ...animate(out, ['--size', '384'], LONG_CLIP).filter((a) => a !== '-q')],
    {
      env: { ...process.env, MARIONETTE_HOME: home },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const rendering = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/render\s+\d+\//.test(stderr)) resolve();
    });
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { child, rendering, exited };
}

const partials = (dir: string) => readdirSync(dir).filter((n) => n.includes('.partial'));

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s to the whole process group (a terminal) cancels cleanly with exit %d',
    async (signal, code) => {
      const dir = tempDir();
      const { child, rendering, exited } = startLongRender(path.join(dir, 'long.mp4'), tempDir());
      await rendering;
      process.kill(-child.pid!, signal);
      const result = await exited;
      expect(result.code).toBe(code);
      expect(result.stderr).toMatch(/marionette: cancelled; no output written/);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('kill -9 of the CLI: its engine stops its ffmpeg and removes the partial file', async () => {
    const dir = tempDir();
    const { child, rendering, exited } = startLongRender(path.join(dir, 'long.mp4'), tempDir());
    await rendering;
    // ffmpeg creates its file once the first frames reach it.
    for (let i = 0; i < 100 && partials(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(partials(dir)).toHaveLength(1);
    child.kill('SIGKILL');
    await exited;
    const deadline = Date.now() + 10_000;
    while (partials(dir).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after kill -9 of everything, the next start removes the orphaned partials it owns, and only those', () => {
    const home = tempDir('marionette-home-');
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const pid = Number(dead.stdout);
    const orphan = path.join(dir, '.talk.mp4.0123abcd.partial.mp4');
    const notOurs = path.join(dir, 'talk.mp4');
    writeFileSync(orphan, 'half a render');
    writeFileSync(notOurs, 'the user’s own file');
    mkdirSync(journalDir(home), { recursive: true });
    writeFileSync(path.join(journalDir(home), `${pid}-a.json`), JSON.stringify({ pid, temp: orphan }));
    writeFileSync(path.join(journalDir(home), `${pid}-b.json`), JSON.stringify({ pid, temp: notOurs }));
    writeFileSync(
      path.join(journalDir(home), `${process.pid}-c.json`),
      JSON.stringify({ pid: process.pid, temp: notOurs }),
    );
    expect(cli(['models'], { MARIONETTE_HOME: home }).code).toBe(0);
    expect(existsSync(orphan)).toBe(false);
    expect(readFileSync(notOurs, 'utf8')).toBe('the user’s own file');
    // A live writer's note stays; the dead writer's notes are gone.
    expect(readdirSync(journalDir(home))).toEqual([`${process.pid}-c.json`]);
  });
});

/** A JPEG with an EXIF APP1 segment whose orientation tag is `orientation`. */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.from([
    0x49,
    0x49,
    0x2a,
    0x00,
    0x08,
    0x00,
    0x00,
    0x00, // little-endian TIFF, IFD at 8
    0x01,
    0x00, // one entry
    0x12,
    0x01,
    0x03,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    orientation,
    0x00,
    0x00,
    0x00, // 0x0112 SHORT 1
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([
    Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]),
    body,
  ]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

describe('orientation', () => {
  it('shows a sideways-stored photo upright: its size, crops and keypoints are in display pixels', () => {
    const dir = tempDir();
    const stored = path.join(dir, 'stored.jpg');
    // A 64x48 photo stored sideways (48x64) with orientation 6 (display: turn 90° clockwise).
    execFileSync(FFMPEG, [
      '-v',
      'error',
      '-i',
      SOURCE,
      '-vf',
      'scale=64:48,transpose=2',
      '-q:v',
      '2',
      stored,
    ]);
    const rotated = path.join(dir, 'phone.jpg');
    writeFileSync(rotated, withOrientation(readFileSync(stored), 6));
    const wrong = cli(['keypoints', '--model', TINY_MODEL, '--input', rotated, '--crop', '0,0,64']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/does not fit in .*\(64x48\)/);
    const ok = cli(['keypoints', '--model', TINY_MODEL, '--input', rotated, '--crop', '8,0,48']);
    expect(ok.code, ok.stderr).toBe(0);
    const upright = path.join(dir, 'upright.png');
    execFileSync(FFMPEG, ['-v', 'error', '-i', SOURCE, '-vf', 'scale=64:48', upright]);
    const reference = cli(['keypoints', '--model', TINY_MODEL, '--input', upright, '--crop', '8,0,48']);
    const a = JSON.parse(ok.stdout) as { frames: { value: number[] }[] };
    const b = JSON.parse(reference.stdout) as { frames: { value: number[] }[] };
    // JPEG loses a little; a sideways decode would move the keypoints by far more.
    const diff = Math.max(...a.frames[0]!.value.map((v, i) => Math.abs(v - b.frames[0]!.value[i]!)));
    expect(diff).toBeLessThan(0.08);
  });

  it('measures a phone clip after its display rotation', () => {
    const dir = tempDir();
    const plain = path.join(dir, 'plain.mp4');
    const phone = path.join(dir, 'phone.mp4');
    execFileSync(FFMPEG, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=96x64:rate=10:duration=1',
      '-pix_fmt',
      'yuv420p',
      plain,
    ]);
    execFileSync(FFMPEG, ['-v', 'error', '-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', phone]);
    // Shown as 64x96: a 64-px square at y=32 fits; at x=32 it does not.
    expect(cli(animate(path.join(dir, 'ok.mp4'), ['--driving-crop', '0,32,64'], phone)).code).toBe(0);
    const refused = cli(animate(path.join(dir, 'no.mp4'), ['--driving-crop', '32,0,64'], phone));
    expect(refused.stderr).toMatch(/driving crop 64px at \(32, 0\) does not fit in 64x96/);
  });
});

describe('smaller cases', () => {
  it('a truncated photo is refused, not rendered green', () => {
    const dir = tempDir();
    const photo = path.join(DATASETS, 'faces/source_images/lp_d12.jpg');
    const truncated = path.join(dir, 'cut.jpg');
    writeFileSync(truncated, readFileSync(photo).subarray(0, 40_000));
    const out = path.join(dir, 'x.mp4');
    const result = cli([
      'animate',
      '--model',
      TINY_MODEL,
      '--source',
      truncated,
      '--driving',
      DRIVING,
      '-q',
      '-o',
      out,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/source image .*cut\.jpg: the file is damaged or truncated/);
    expect(readdirSync(dir)).toEqual(['cut.jpg']);
  });

  it('keypoints: a crop outside the image and an unwritable output are one clear line', () => {
    const photo = path.join(DATASETS, 'faces/source_images/lp_d12.jpg');
    const crop = cli(['keypoints', '--model', TINY_MODEL, '--input', photo, '--crop', '900,0,10']);
    expect(crop.code).toBe(2);
    expect(crop.stderr).toMatch(/--crop 10px at \(900, 0\) does not fit in .*\(720x720\)/);
    const out = cli(['keypoints', '--model', TINY_MODEL, '--input', photo, '-o', '/nonexistent/x.json']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'marionette: cannot write /nonexistent/x.json: output folder /nonexistent does not exist',
    );
  });

  it('a project saved with a byte-order mark and relative paths opens, relative to its own folder', () => {
    const dir = tempDir();
    copyFileSync(SOURCE, path.join(dir, 'face.png'));
    copyFileSync(DRIVING, path.join(dir, 'clip.avi'));
    const project = {
      format: 'marionette-project',
      version: 1,
      project: {
        modelId: TINY_MODEL,
        sourcePath: 'face.png',
        drivingPath: 'clip.avi',
        trimIn: 0,
        trimOut: null,
        sourceCrop: null,
        drivingCrop: null,
        drivingTrack: null,
        settings: {},
        outputPath: 'renders.mp4',
      },
    };
    // settings are validated with their defaults filled in by the schema
    const file = path.join(dir, 'p.marionette');
    writeFileSync(file, `\ufeff${JSON.stringify(project)}`);
    const elsewhere = tempDir();
    const proc = spawnSync(process.execPath, [CLI, 'animate', '--project', file, '-q'], {
      cwd: elsewhere,
      encoding: 'utf8',
      env: { ...process.env, MARIONETTE_HOME: tempDir() },
    });
    expect(proc.status, proc.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'renders.mp4'))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a deeply nested or huge project is refused in one short line', () => {
    const dir = tempDir();
    const deep = path.join(dir, 'deep.marionette');
    writeFileSync(deep, `${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    const a = cli(['animate', '--project', deep, '-o', path.join(dir, 'x.mp4')]);
    expect(a.stderr).toBe('marionette: deep.marionette is not a Marionette project (nested too deeply)');
    const wide = path.join(dir, 'wide.marionette');
    const keys = Array.from({ length: 50_000 }, (_, i) => `"k${i}":1`).join(',');
    writeFileSync(wide, `{"format":"marionette-project","version":1,"project":{${keys}}}`);
    const b = cli(['animate', '--project', wide, '-o', path.join(dir, 'x.mp4')]);
    expect(b.code).toBe(1);
    expect(b.stderr.length).toBeLessThan(600);
  });
});

describe('framing says what it did', () => {
  it('frames the largest of several faces, or the one --face names, and says when there is none', () => {
    const dir = tempDir();
    const group = path.join(dir, 'group.jpg');
    const faces = path.join(DATASETS, 'faces/source_images');
    // Two people side by side, the second smaller.
    execFileSync(FFMPEG, [
      '-v',
      'error',
      '-i',
      path.join(faces, 'lp_d12.jpg'),
      '-i',
      path.join(faces, 'lp_d19.jpg'),
      '-filter_complex',
      '[1:v]scale=480:480,pad=480:720:0:120[b];[0:v][b]hstack=inputs=2',
      '-q:v',
      '2',
      group,
    ]);
    const model = path.resolve('models/onnx/face-128');
    const crop = (extra: string[]) => {
      const r = cli(['keypoints', '--model', model, '--input', group, ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { crop: { x: number; size: number }; framing: string };
    };
    const first = crop([]);
    const second = crop(['--face', '2']);
    expect(first.framing).toBe('face found');
    expect(first.crop.x + first.crop.size / 2).toBeLessThan(720);
    expect(second.crop.x + second.crop.size / 2).toBeGreaterThan(720);
    expect(second.crop.size).toBeLessThan(first.crop.size);
    const third = cli(['keypoints', '--model', model, '--input', group, '--face', '3']);
    expect(third.stderr).toMatch(/face 3 asked for, but 2 faces were found/);
    // A flat grey picture has no face: centred square, and the JSON says so.
    const grey = path.join(dir, 'grey.png');
    execFileSync(FFMPEG, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=gray:size=300x200',
      '-frames:v',
      '1',
      grey,
    ]);
    const none = JSON.parse(cli(['keypoints', '--model', model, '--input', grey]).stdout) as {
      crop: unknown;
      framing: string;
    };
    expect(none.framing).toBe('no face found: centred square');
    expect(none.crop).toEqual({ x: 50, y: 0, size: 200 });
  });
});
