#!/usr/bin/env bash
# One-shot GPU check, on a bare Linux machine with an NVIDIA GPU, Python with CUDA PyTorch, no Node
# and no network. Run scripts/gpu-check/pack.sh first where the project is installed, then
# scripts/gpu-check/slim.sh out (the bundled models would make the working tree too large to send),
# carry build/gpu-check, then there:
#
#   bash scripts/gpu-check/run.sh [OUT_DIR]     (default: $OUT, else build/gpu-check-out)
#
# It builds the published 256x256 vox architecture's graphs with random weights (the cost does not
# depend on the weights) with their float16 GPU variants, runs the engine's stage benchmark on WebGPU
# over Vulkan with the float16 and the float32 graphs (and briefly on the CPU), times the PyTorch
# reference on CUDA (fp32 and fp16 autocast) on the same stages, and writes everything to OUT_DIR: gpu-check.log and one JSON per measurement. About 5 minutes.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-${OUT:-build/gpu-check-out}}
pack=build/gpu-check
# A smoke test elsewhere: GPU_CHECK_FRAMES=1 GPU_CHECK_BATCHES=1 bash scripts/gpu-check/run.sh
frames=${GPU_CHECK_FRAMES:-120}
batches=${GPU_CHECK_BATCHES:-1,4,8}
py=${PYTHON:-python3}  # the Python that has PyTorch
mkdir -p "$out"
log="$out/gpu-check.log"
exec > >(tee "$log") 2>&1
say() { printf '\n=== %s\n' "$*"; }
[ -f "$pack/node.xz" ] || { echo "missing $pack: run scripts/gpu-check/pack.sh and carry it"; exit 2; }
work=$(mktemp -d)
export PYTHONUNBUFFERED=1 XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work}

say machine
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"

say unpacking Node, onnxruntime-node and the Vulkan loader
xz -dc "$pack/node.xz" >"$work/node" && chmod +x "$work/node"
cp -r "$pack/node_modules" "$work/"
so="$work/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
xz -dc "$so.xz" >"$so" && rm "$so.xz"
cp "$pack/gpu-bench.mjs" "$work/"
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for deb in "$pack"/debs/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$icd
fi
"$work/node" --version

say "exporting vox-256 (random weights, fp32 graphs)"
(cd models && "$py" -m fomm.export_onnx --config configs/vox-256.yaml --out "$work/vox-256" --name "vox-256 (random)" \
  --gpu-float16 2>&1 | tail -1)

for precision in float16 float32; do
  say "engine stages on WebGPU (onnxruntime-node's Dawn over Vulkan), $precision graphs"
  flag=$([ "$precision" = float32 ] && echo --gpu-float32)
  timeout 180 "$work/node" "$work/gpu-bench.mjs" --model "$work/vox-256" --provider webgpu --frames "$frames" \
    --batches "$batches" $flag | tee "$work/webgpu-$precision.txt"
  tail -1 "$work/webgpu-$precision.txt" >"$out/engine-webgpu-$precision.json"
done

say "engine stages on the CPU (for scale; 16 frames)"
timeout 120 "$work/node" "$work/gpu-bench.mjs" --model "$work/vox-256" --provider cpu --frames "$(( frames < 16 ? frames : 16 ))" --batches 1 |
  tee "$work/cpu.txt"
tail -1 "$work/cpu.txt" >"$out/engine-cpu.json"

for half in "" --half; do
  say "PyTorch reference on CUDA ${half:-fp32}"
  (cd models && timeout 120 "$py" -m fomm.reference_run --model "$work/vox-256" --stages --device cuda \
    --frames "$frames" --batches "$batches" $half) | tee "$out/pytorch-cuda${half:+-fp16}.json"
done
say done
ls -la "$out"
