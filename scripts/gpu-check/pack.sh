#!/usr/bin/env bash
# Packs what scripts/gpu-check/run.sh needs on a bare GPU machine that has Python with CUDA PyTorch
# but no Node and no network: Node itself, onnxruntime-node (its JS, its Linux x64 binding and
# runtime, which holds the WebGPU provider), the stage benchmark bundle (dist/gpu-bench.mjs) and the
# Vulkan loader. Everything goes to build/gpu-check (ignored by git; about 40 MB), which the device
# call carries. The Python side (models/fomm) travels with the working tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/gpu-check
rm -rf "$out" && mkdir -p "$out/debs"
node scripts/build.mjs --no-renderer >/dev/null
cp dist/gpu-bench.mjs "$out/"
xz -T0 -6 -c "$(command -v node)" >"$out/node.xz"
ort=node_modules/onnxruntime-node
dest="$out/node_modules/onnxruntime-node"
mkdir -p "$dest/bin/napi-v6/linux/x64"
cp -r "$ort/dist" "$ort/package.json" "$dest/"
cp "$ort/bin/napi-v6/linux/x64/onnxruntime_binding.node" "$dest/bin/napi-v6/linux/x64/"
xz -T0 -6 -c "$ort/bin/napi-v6/linux/x64/libonnxruntime.so.1" >"$dest/bin/napi-v6/linux/x64/libonnxruntime.so.1.xz"
cp -r node_modules/onnxruntime-common "$out/node_modules/"
# Dawn (WebGPU) opens Vulkan through the loader, which the GPU machine's image lacks.
(cd "$out/debs" && apt-get download libvulkan1 >/dev/null 2>&1) ||
  echo "[gpu-check] could not download libvulkan1: WebGPU will only run where the machine has a Vulkan loader" >&2
du -sh "$out" | sed 's/^/[gpu-check] packed: /'
