#!/usr/bin/env bash
# The accelerator check (at most 8 minutes on a GPU): on a machine whose nvidia-smi sees an NVIDIA GPU,
# install the jax[cuda12] wheel pinned to requirements.txt's jax version, then run scripts/gpu_check.py
# (engine and sampler tests, matmul peak, training benchmarks in float32 and bfloat16, 10 batched seeds of
# pacgan2_ring8 for 1,000 steps) and print its one-line JSON summary last. Without a GPU the install is
# skipped (a line on stderr says so) and the same parts run on the CPU.
#
#   bash scripts/gpu_check.sh            # the full check
#   bash scripts/gpu_check.sh --tiny     # every part tiny (the CPU test: tests/test_gpu_check.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
JAX_VERSION="$(sed -n 's/^jax==\([0-9.]*\).*/\1/p' requirements.txt)"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu_check: $(nvidia-smi -L | head -1); installing jax[cuda12]==${JAX_VERSION}" >&2
  "$PYTHON" -m pip install --quiet "jax[cuda12]==${JAX_VERSION}" >&2 \
    || echo "gpu_check: the jax[cuda12] install failed; checking with the jax already installed" >&2
else
  echo "gpu_check: no NVIDIA GPU (nvidia-smi); skipping the jax[cuda12] install, running on $("$PYTHON" -c 'import jax; print(jax.default_backend())')" >&2
fi
exec "$PYTHON" scripts/gpu_check.py "$@"
