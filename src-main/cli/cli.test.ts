/** The CLI end to end: bad input gets one specific line, a non-zero exit, and no output file. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderSettingsSchema } from '../../src-shared/job.js';
import type { ProjectDoc } from '../../src-shared/project-file.js';
import { saveProjectFile } from '../app/project-files.js';
import { DRIVING, FIXTURES, SOURCE, TINY_MODEL, ffmpeg, ffprobe, tempDir } from '../test-support/fixtures.js';

const CLI = path.resolve('dist/cli.mjs');

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const proc = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env });
  return { code: proc.status, stdout: proc.stdout, stderr: proc.stderr.trim() };
}

function animateArgs(overrides: Record<string, string>, extra: string[] = []): string[] {
  const flags = { '--model': TINY_MODEL, '--source': SOURCE, '--driving': DRIVING, '-q': '', ...overrides };
  return ['animate', ...Object.entries(flags).flatMap(([k, v]) => (v === '' ? [k] : [k, v])), ...extra];
}

function expectCleanFailure(dir: string, result: ReturnType<typeof cli>, message: RegExp, code = 1) {
  expect(result.code).toBe(code);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('marionette:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(readdirSync(dir)).toEqual([]);
}

describe('marionette animate', () => {
  it('renders an MP4 and reports it', () => {
    const dir = tempDir();
    const out = path.join(dir, 'ok.mp4');
    const result = cli(animateArgs({ '-o': out }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote .*ok\.mp4: 16 frames/);
    expect(ffprobe(out).streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
  });

  const dir = tempDir();
  const notAnImage = path.join(dir, '..', `${path.basename(dir)}-notes.jpg`);
  writeFileSync(notAnImage, 'this is text, not a JPEG\n');
  const audioOnly = path.join(FIXTURES, 'tone.wav');
  ffmpeg('-f', 'lavfi', '-i', 'sine=duration=1', audioOnly);

  const cases: Array<[string, Record<string, string>, RegExp, number?]> = [
    [
      'missing source',
      { '--source': '/nonexistent/face.png' },
      /source image: file not found: \/nonexistent\/face\.png/,
    ],
    ['source is a folder', { '--source': FIXTURES }, /source image: .* is not a file/],
    [
      'source is not an image',
      { '--source': notAnImage },
      /source image .*notes\.jpg: not a readable image or video/,
    ],
    ['driving is a still image', { '--driving': SOURCE }, /driving video .*: is a still image, not a video/],
    ['driving has no video stream', { '--driving': audioOnly }, /driving video .*tone\.wav: no video stream/],
    ['trim starts past the end', { '--trim-in': '5' }, /no frames in range/],
    [
      'trim in after trim out',
      { '--trim-in': '0.4', '--trim-out': '0.2' },
      /trimOut: trim out must be after trim in/,
      2,
    ],
    ['absurd output size', { '--size': '100000' }, /--size: Too big/, 2],
    [
      'crop outside the image',
      { '--source-crop': '10,10,4000' },
      /source crop 4000px at \(10, 10\) does not fit in 64x64/,
    ],
    ['bad crop syntax', { '--source-crop': '10,10' }, /--source-crop takes x,y,size/, 2],
    ['unknown model', { '--model': 'nope' }, /unknown model "nope"/],
    ['model folder without manifest', { '--model': FIXTURES }, /has no readable manifest\.json/],
  ];

  it.each(cases)('%s', (_name, overrides, message, code = 1) => {
    const out = tempDir();
    expectCleanFailure(out, cli(animateArgs({ '-o': path.join(out, 'x.mp4'), ...overrides })), message, code);
  });

  it('output folder that does not exist', () => {
    const parent = tempDir();
    const result = cli(animateArgs({ '-o': path.join(parent, 'missing', 'x.mp4') }));
    expectCleanFailure(parent, result, /output folder .*missing does not exist or is not writable/);
  });

  it('output that is the driving clip itself', () => {
    const dir = tempDir();
    const clip = path.join(dir, 'clip.avi');
    copyFileSync(DRIVING, clip);
    const before = readFileSync(clip);
    const result = cli(animateArgs({ '--driving': clip, '-o': clip }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/output .*clip\.avi is the driving video; choose another name/);
    expect(readFileSync(clip).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['clip.avi']);
  });

  it('disk full while encoding', (ctx) => {
    const mount = tempDir('marionette-full-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mount]).status === 0;
    if (!mounted) return ctx.skip('cannot mount a small tmpfs here (needs root)');
    try {
      const result = cli(animateArgs({ '-o': path.join(mount, 'x.mp4'), '--size': '512' }));
      expectCleanFailure(mount, result, /writing .*x\.mp4: disk full/);
    } finally {
      spawnSync('umount', [mount]);
    }
  });

  it('usage errors print the usage', () => {
    const result = cli(['animate', '--source', SOURCE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--driving is required/);
    expect(result.stderr).toMatch(/usage:/);
  });
});

describe('marionette animate --project', () => {
  const saved = (dir: string, overrides: Partial<ProjectDoc> = {}) =>
    saveProjectFile(path.join(dir, 'p.marionette'), {
      modelId: TINY_MODEL,
      sourcePath: SOURCE,
      drivingPath: DRIVING,
      trimIn: 0.2,
      trimOut: 0.4,
      sourceCrop: null,
      drivingCrop: null,
      drivingTrack: null,
      settings: RenderSettingsSchema.parse({ audio: false, crf: 30 }),
      outputPath: path.join(dir, 'from-project.mp4'),
      ...overrides,
    });

  it('renders a studio project with its model, files, trim and settings; flags replace what they name', async () => {
    const dir = tempDir();
    const file = await saved(dir);
    const fromProject = cli(['animate', '--project', file, '-q']);
    expect(fromProject.code).toBe(0);
    // 0.2 s to 0.4 s of the 29.97 fps clip; no audio, as the project says.
    expect(fromProject.stdout).toMatch(/wrote .*from-project\.mp4: 6 frames/);
    expect(ffprobe(path.join(dir, 'from-project.mp4')).streams.map((s) => s.codec_name)).toEqual(['h264']);
    const out = path.join(dir, 'whole.mp4');
    const replaced = cli(['animate', '--project', file, '--trim-in', '0', '-o', out, '-q']);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/wrote .*whole\.mp4: 12 frames/);
  });

  it('refuses a project whose photo is gone unless --source replaces it, and writes nothing', async () => {
    const dir = tempDir();
    const file = await saved(dir, { sourcePath: '/gone/face.png' });
    const result = cli(['animate', '--project', file, '-q']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /project .*p\.marionette: not found: \/gone\/face\.png \(moved or deleted\)/,
    );
    expect(readdirSync(dir)).toEqual(['p.marionette']);
    expect(cli(['animate', '--project', file, '--source', SOURCE, '-q']).code).toBe(0);
  });

  it('says so when the project file is damaged', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.marionette');
    writeFileSync(file, '{"format": "marionette-project", "version": 1, "project": {}}');
    const result = cli(['animate', '--project', file, '-o', path.join(dir, 'x.mp4'), '-q']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.marionette is damaged: project\.modelId: /);
    expect(readdirSync(dir)).toEqual(['bad.marionette']);
  });
});

describe('marionette models remove', () => {
  it('removes an imported model, and only that', () => {
    const home = tempDir();
    const env = { ...process.env, MARIONETTE_HOME: home, MARIONETTE_BUNDLED_MODELS: FIXTURES };
    const checkpoint = path.join(FIXTURES, 'tiny-zip.pth.tar');
    const templates = path.join(FIXTURES, 'templates');
    expect(
      cli(['models', 'import', checkpoint, '--id', 'mine'], { ...env, MARIONETTE_TEMPLATES: templates }).code,
    ).toBe(0);
    expect(readdirSync(path.join(home, 'models'))).toEqual(['mine']);
    const bundled = cli(['models', 'remove', 'tiny-model'], env);
    expect([bundled.code, bundled.stderr]).toEqual([
      1,
      'marionette: model "tiny-model" comes with Marionette and cannot be removed',
    ]);
    const unknown = cli(['models', 'remove', 'nope'], env);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'marionette: model "nope" is not installed']);
    const removed = cli(['models', 'remove', 'mine'], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/removed model "mine"/);
    expect(readdirSync(path.join(home, 'models'))).toEqual([]);
    expect(readdirSync(FIXTURES)).toContain('tiny-model');
  });
});

describe('marionette batch', () => {
  it('renders every source × clip and names outputs after both', () => {
    const out = tempDir();
    const sub = path.join(out, 'renders');
    mkdirSync(sub);
    const short = path.join(FIXTURES, 'driving-silent.avi');
    const result = cli([
      'batch',
      '--model',
      TINY_MODEL,
      '--sources',
      SOURCE,
      '--drivings',
      `${DRIVING},${short}`,
      '--out-dir',
      sub,
      '-q',
    ]);
    expect(result.code).toBe(0);
    expect(readdirSync(sub).sort()).toEqual(['source__driving-silent.mp4', 'source__driving.mp4']);
    expect(ffprobe(path.join(sub, 'source__driving-silent.mp4')).streams).toHaveLength(1);
  });

  it('keeps going after a failed job and reports it', () => {
    const sub = tempDir();
    const result = cli([
      'batch',
      '--model',
      TINY_MODEL,
      '--sources',
      `${SOURCE},/nonexistent.png`,
      '--drivings',
      DRIVING,
      '--out-dir',
      sub,
      '-q',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[2\/2\] failed: source image: file not found/);
    expect(result.stderr).toMatch(/1 of 2 jobs failed/);
    expect(readdirSync(sub)).toEqual(['source__driving.mp4']);
  });
});

describe('marionette keypoints', () => {
  it('prints keypoints and Jacobians for every frame of a clip', () => {
    const result = cli(['keypoints', '--model', TINY_MODEL, '--input', DRIVING]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      numKp: number;
      fps: string;
      frames: Array<{ value: number[]; jacobian: number[] }>;
    };
    expect(doc.numKp).toBe(5);
    expect(doc.fps).toBe('30000/1001');
    expect(doc.frames).toHaveLength(16);
    expect(doc.frames[0]!.value).toHaveLength(10);
    expect(doc.frames[0]!.jacobian).toHaveLength(20);
    expect(doc.frames[0]!.value.every((v) => Math.abs(v) <= 1)).toBe(true);
  });
  it('prints the ffmpeg and ffprobe command lines with NODE_DEBUG=marionette, and none without', () => {
    const args = ['keypoints', '--model', TINY_MODEL, '--input', DRIVING];
    const logged = cli(args, { ...process.env, NODE_DEBUG: 'marionette' });
    expect(logged.code).toBe(0);
    expect(logged.stderr).toMatch(/^MARIONETTE \d+: \S*ffprobe .*driving/m);
    expect(logged.stderr).toMatch(/^MARIONETTE \d+: \S*ffmpeg .*-i \S*driving.* -f rawvideo/m);
    expect(cli(args, { ...process.env, NODE_DEBUG: '' }).stderr).not.toMatch(/MARIONETTE/);
  });
  it('handles a still image as one frame', () => {
    const doc = JSON.parse(cli(['keypoints', '--model', TINY_MODEL, '--input', SOURCE]).stdout) as {
      frames: unknown[];
    };
    expect(doc.frames).toHaveLength(1);
  });
});
