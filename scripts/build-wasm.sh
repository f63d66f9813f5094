#!/usr/bin/env bash
# Builds src/losses/simd/kernels.wasm from kernels.c with Debian's clang and lld (apt-get install
# clang lld). The .wasm is committed; `bash scripts/build-wasm.sh --check` (run by .ci/run) rebuilds
# it into a temporary file and fails if a byte differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")/../src/losses/simd"
out=kernels.wasm
[[ "${1:-}" == "--check" ]] && out=$(mktemp --suffix=.wasm)
clang --target=wasm32 -msimd128 -O3 -nostdlib -fno-builtin \
  -Wl,--no-entry -Wl,--initial-memory=4194304 -Wl,--max-memory=4194304 -Wl,-z,stack-size=65536 \
  -o "$out" kernels.c
if [[ "${1:-}" == "--check" ]]; then
  if cmp -s "$out" kernels.wasm; then echo "kernels.wasm matches kernels.c"; rm -f "$out"; else echo "kernels.wasm is stale: run bash scripts/build-wasm.sh and commit it" >&2; rm -f "$out"; exit 1; fi
fi
