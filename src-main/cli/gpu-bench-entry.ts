/**
 * Entry of dist/gpu-bench.mjs: the stage benchmark alone, bundled with nothing external but
 * onnxruntime-node, so scripts/gpu-check can run it on a machine without the project's packages.
 */
import { stageBenchCommand } from './stage-bench.js';

stageBenchCommand(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`gpu-bench: ${(err as Error).message}`);
  process.exit(1);
});
