#!/usr/bin/env bash
# Builds the WebAssembly modules from their C with Debian's clang and lld (apt-get install clang
# lld): src/losses/simd/kernels.wasm (the SIMD kernels) and src/response/numberText.wasm (the
# number printer of JSON answers). The .wasm files are committed; `bash scripts/build-wasm.sh
# --check` (run by .ci/run) rebuilds each into a temporary file and fails if a byte differs.
set -euo pipefail
cd "$(dirname "$0")/../src"
status=0
build() { # <dir> <name> <extra clang flags...>
  local dir=$1 name=$2
  shift 2
  local out="$dir/$name.wasm"
  [[ "$check" == 1 ]] && out=$(mktemp --suffix=.wasm)
  clang --target=wasm32 "$@" -O3 -nostdlib -fno-builtin \
    -Wl,--no-entry -Wl,-z,stack-size=65536 -o "$out" "$dir/$name.c"
  if [[ "$check" == 1 ]]; then
    if cmp -s "$out" "$dir/$name.wasm"; then echo "$name.wasm matches $name.c"; else echo "$dir/$name.wasm is stale: run bash scripts/build-wasm.sh and commit it" >&2; status=1; fi
    rm -f "$out"
  fi
}
check=0
[[ "${1:-}" == "--check" ]] && check=1
build losses/simd kernels -msimd128 -Wl,--initial-memory=4194304 -Wl,--max-memory=4194304
build response numberText -Wl,--initial-memory=2097152 -Wl,--max-memory=2097152
exit $status
