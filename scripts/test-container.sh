#!/usr/bin/env bash
# Builds the Docker image, starts it, calls POST /loss and the v2 infer route inside it, checks
# that it runs as a non-root user, then stops it with SIGTERM and checks it exits 0.
#
# With a Docker engine it uses docker. Without one (this workplace), it uses podman and buildah
# on a local stand-in for node:24-slim built by ../shared/container/stand-in-base.sh (the only
# place the project looks outside itself), as that script's header describes.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=loss-service:test
PORT="${CONTAINER_TEST_PORT:-3457}"
URL="http://127.0.0.1:$PORT"

log() { printf 'test:container: %s\n' "$*"; }
fail() { log "FAIL: $*"; exit 1; }

check_answers() {
  for _ in $(seq 1 100); do curl -fsS "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS "$URL/readyz" >/dev/null || fail "the service in the container never became ready"
  local loss v2
  loss=$(curl -fsS "$URL/loss" -H 'content-type: application/json' \
    -d '{"loss":"mse","predictions":[1,2,3],"targets":[1,2,5],"include":["gradient"]}')
  log "POST /loss -> $loss"
  [[ "$loss" == *'"value":1.3333333333333333'* ]] || fail "POST /loss answered $loss"
  v2=$(curl -fsS "$URL/v2/models/mse/infer" -H 'content-type: application/json' \
    -d '{"inputs":[{"name":"predictions","shape":[3],"datatype":"FP64","data":[1,2,3]},{"name":"targets","shape":[3],"datatype":"FP64","data":[1,2,5]}],"outputs":[{"name":"value"}]}')
  log "POST /v2/models/mse/infer -> $v2"
  [[ "$v2" == *'"data":[1.3333333333333333]'* ]] || fail "v2 infer answered $v2"
  # A body nested 10^6 deep is a 400, and the service goes on answering.
  local deep
  deep=$(head -c 1000000 /dev/zero | tr '\0' '[' | curl -sS -o /dev/null -w '%{http_code}' "$URL/loss" -H 'content-type: application/json' --data-binary @-)
  [ "$deep" = 400 ] || fail "a body nested 10^6 deep answered $deep"
  curl -fsS "$URL/healthz" >/dev/null || fail "not alive after the deep body"
  log "a body nested 10^6 deep -> 400, still alive"
}

if docker info >/dev/null 2>&1; then
  docker build -t "$IMAGE" .
  [ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE")" = node ] || fail "the image does not run as the node user"
  cid=$(docker run -d -p "127.0.0.1:$PORT:3000" "$IMAGE")
  trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
  [ "$(docker exec "$cid" id -u)" != 0 ] || fail "the container runs as root"
  check_answers
  docker stop -t 30 "$cid" >/dev/null
  code=$(docker inspect -f '{{.State.ExitCode}}' "$cid")
  [ "$code" = 0 ] || fail "exit code $code after SIGTERM"
  log "OK (docker): image builds, runs as non-root, answers, stops cleanly on SIGTERM"
  exit 0
fi

base=../shared/container/stand-in-base.sh
[ -f "$base" ] || fail "no Docker engine and no $base to build a node:24-slim stand-in"
bash "$base" 24
podman build --pull=never --isolation chroot -t "$IMAGE" . >/tmp/loss-service-podman-build.log 2>&1 \
  || { tail -30 /tmp/loss-service-podman-build.log; fail "podman build failed"; }
log "image built: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"

user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
[ "$user" = node ] || fail "the image's USER is '$user', not node"
workdir=$(podman image inspect --format '{{.Config.WorkingDir}}' "$IMAGE")
# The CMD is `sh -c "exec node $(node src/heapFlag.ts) src/server.ts"`: one word per line.
mapfile -t cmd < <(podman image inspect --format '{{range .Config.Cmd}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
ctr=$(buildah from --pull-never "localhost/$IMAGE")
trap 'pkill -TERM -f "node .*src/server.ts" 2>/dev/null || true; buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT

uid=$(buildah run --isolation chroot --user "$user" "$ctr" -- id -u)
[ "$uid" != 0 ] || fail "the container runs as root"
log "runs as $user (uid $uid)"

# Chroot isolation shares the host's network: listen on loopback only, on a test port.
buildah run --isolation chroot --user "$user" --workingdir "$workdir" --env HOST=127.0.0.1 --env PORT="$PORT" --env LOG_LEVEL=warn \
  "$ctr" -- "${cmd[@]}" &
runner=$!
check_answers

pid=$(pgrep -n -f "node .*src/server.ts" || true)
[ -n "$pid" ] || fail "cannot find the service's process"
# The image sizes the V8 heap from the memory budget (src/heapFlag.ts).
grep -q -- '--max-old-space-size=' "/proc/$pid/cmdline" || fail "the service runs without a heap size from the budget: $(tr '\0' ' ' < "/proc/$pid/cmdline")"
log "heap flag: $(tr '\0' '\n' < "/proc/$pid/cmdline" | grep -- --max-old-space-size)"
kill -TERM "$pid"
set +e
wait "$runner"
code=$?
set -e
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
log "OK (podman stand-in): image builds, runs as non-root, answers POST /loss and v2, exits 0 on SIGTERM"
