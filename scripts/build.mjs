// Bundles the Node-side entry points (CLI, engine worker, Electron main and preload) with esbuild,
// and the renderer with Vite. Native and binary-shipping packages stay external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const external = [
  'electron',
  'onnxruntime-node',
  'ffmpeg-static',
  '@ffmpeg-installer/ffmpeg',
  '@ffprobe-installer/ffprobe',
  // Loaded at run time with its WebAssembly binaries and model files from node_modules.
  '@vladmandic/face-api',
  '@tensorflow/*',
];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'warning',
};
const esm = {
  ...common,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};

const nodeEntries = {
  cli: 'src-main/cli/entry.ts',
  'engine-worker': 'src-main/engine/worker.ts',
  'dev-host': 'src-main/host/dev-host.ts',
  'import-worker': 'src-main/import/import-worker.ts',
  // The inference stages alone, for machines without the project's packages (scripts/gpu-check).
  'gpu-bench': 'src-main/cli/gpu-bench-entry.ts',
};
if (existsSync('src-main/electron/main.ts')) nodeEntries['electron-main'] = 'src-main/electron/main.ts';
await build({ ...esm, entryPoints: nodeEntries, outdir: 'dist' });

if (existsSync('src-main/preload/preload.ts')) {
  // Sandboxed preloads must be CommonJS.
  await build({
    ...common,
    format: 'cjs',
    entryPoints: { preload: 'src-main/preload/preload.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
  });
}

if (existsSync('src-renderer/index.html') && !process.argv.includes('--no-renderer')) {
  const require = createRequire(import.meta.url);
  const { build: viteBuild } = await import(require.resolve('vite'));
  await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
}
console.log('built dist/');
