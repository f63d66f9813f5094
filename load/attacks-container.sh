#!/usr/bin/env bash
# Runs load/attacks.ts against the Docker image under a 4 GiB memory limit: the image built by
# `npm run test:container` (loss-service:test), started with buildah (chroot isolation, as the
# container test does where no Docker engine runs) inside a cgroup whose memory limit is 4 GiB,
# which the service reads as its container limit. Needs root and cgroup v1 or v2.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-3470}"
LIMIT=$((4 * 1024 * 1024 * 1024))
if [ -d /sys/fs/cgroup/memory ]; then
  cg=/sys/fs/cgroup/memory/loss-service-4g; mkdir -p "$cg"; echo "$LIMIT" > "$cg/memory.limit_in_bytes"
else
  cg=/sys/fs/cgroup/loss-service-4g; mkdir -p "$cg"; echo "$LIMIT" > "$cg/memory.max"
fi
mapfile -t cmd < <(podman image inspect --format '{{range .Config.Cmd}}{{println .}}{{end}}' loss-service:test | sed '/^$/d')
ctr=$(buildah from --pull-never localhost/loss-service:test)
trap 'pkill -TERM -f "node .*src/server.ts" || true; sleep 2; buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" \
  buildah run --isolation chroot --user node --workingdir /app --env HOST=127.0.0.1 --env PORT="$PORT" --env LOG_LEVEL=warn "$ctr" -- "${cmd[@]}" &
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
pid=$(pgrep -n -f "node .*src/server.ts")
echo "service pid $pid, cgroup $cg, $(tr '\0' ' ' < "/proc/$pid/cmdline")" >&2
# Node 24 from the project (the machine's own may be older and run no TypeScript).
node_modules/.bin/node --max-old-space-size=8192 load/attacks.ts --url "http://127.0.0.1:$PORT" --pid "$pid"
