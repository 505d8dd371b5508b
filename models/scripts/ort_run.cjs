#!/usr/bin/env node
// Runs one ONNX graph with onnxruntime-node (the runtime the app ships) for the Python parity tests.
// usage: node ort_run.cjs request.json  — {model, inputs: [{name, dims, file}], outDir}
// Writes <outDir>/<output>.bin (float32) and <outDir>/outputs.json ({name: dims}).
const fs = require('node:fs');
const path = require('node:path');
const ort = require('onnxruntime-node');

async function main() {
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(request.model, { executionProviders: ['cpu'] });
  const feeds = {};
  for (const input of request.inputs) {
    const bytes = fs.readFileSync(input.file);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    feeds[input.name] = new ort.Tensor('float32', Float32Array.from(data), input.dims);
  }
  const results = await session.run(feeds);
  const dims = {};
  for (const [name, tensor] of Object.entries(results)) {
    fs.writeFileSync(path.join(request.outDir, `${name}.bin`), Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    dims[name] = tensor.dims;
  }
  fs.writeFileSync(path.join(request.outDir, 'outputs.json'), JSON.stringify(dims));
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
