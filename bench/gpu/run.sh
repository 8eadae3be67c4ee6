#!/usr/bin/env bash
# The benchmarks on the GPU machine (H100, Ubuntu 24.04, PyTorch CUDA, no Node): Nabla on the webgpu backend
# (gpu.js WGSL kernels through Dawn, the 'webgpu' package) and on js, beside PyTorch CUDA eager and PyTorch
# CPU, the same workloads and data as `npm run bench`. Needs bench/gpu/kit (npx tsx bench/gpu/kit.ts on a
# development machine). Writes $OUT/RESULTS-gpu.md (or bench/gpu/RESULTS-gpu.md without $OUT) and
# $OUT/gpu-info.txt and $OUT/resident-gpu.txt. Usage: bash bench/gpu/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
KIT=bench/gpu/kit
OUTDIR=${OUT:-bench/gpu}
[ -f "$KIT/node.xz" ] || { echo "bench/gpu/kit is missing: run 'npx tsx bench/gpu/kit.ts' on a development machine and carry it" >&2; exit 2; }

BIN=$(mktemp -d)
xz -dc "$KIT/node.xz" > "$BIN/node"
chmod +x "$BIN/node"
export PATH="$BIN:$PATH"
[ -d node_modules/tsx ] || tar -xJf "$KIT/modules.tar.xz"
# Dawn dlopens libvulkan.so.1; the NVIDIA ICD is installed on the machine, the loader comes from the kit
export LD_LIBRARY_PATH="$PWD/$KIT/vulkan/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
PYTHON=${PYTHON:-$(command -v python3)}
export PYTHON

{
  echo "== nvidia-smi"; nvidia-smi || true
  echo "== node"; node --version
  echo "== torch"; "$PYTHON" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' || true
  echo "== nabla backends (NABLA_BACKEND=webgpu)"
  NABLA_BACKEND=webgpu node --import tsx -e "import('./runtime/index.ts').then((nb) => console.log(JSON.stringify(nb.backendReport(), null, 1)))" || true
} > "$OUTDIR/gpu-info.txt" 2>&1
cat "$OUTDIR/gpu-info.txt"

ROUNDS=3
[ "${1:-}" = "--quick" ] && ROUNDS=1
node --import tsx bench/run.ts --gpu --rounds "$ROUNDS" --out "$OUTDIR/RESULTS-gpu.md"
cat "$OUTDIR/RESULTS-gpu.md"
# what keeping tensors on the GPU saves there (webgpu resident vs every result read back vs webasm)
node --import tsx bench/webgpu-resident.ts --rounds "$ROUNDS" 2>&1 | tee "$OUTDIR/resident-gpu.txt"
