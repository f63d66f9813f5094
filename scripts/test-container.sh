#!/usr/bin/env bash
# Builds the Docker image, starts it, calls POST /loss and the v2 infer route inside it, checks
# that it runs as a non-root user and keeps its HEALTHCHECK, then stops it with SIGTERM and
# checks it exits 0.
#
# The engine, in order:
#   1. docker, where a Docker engine answers;
#   2. podman (with buildah to run the image), pulling node:24-slim as the Dockerfile says;
#   3. podman on a local stand-in for node:24-slim, only where ../shared/container/stand-in-base.sh
#      exists (the project's own CI machines, which cannot pull from a registry);
#   otherwise it says why and skips (exit 0): there is nothing here to build an image with.
# It stops only what it started: its own container, or the one process it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=loss-service:test
PORT="${CONTAINER_TEST_PORT:-3457}"
URL="http://127.0.0.1:$PORT"
STAND_IN=../shared/container/stand-in-base.sh

log() { printf 'test:container: %s\n' "$*"; }
fail() { log "FAIL: $*"; exit 1; }
skip() { log "SKIPPED: $*"; exit 0; }

check_answers() {
  for _ in $(seq 1 150); do curl -fsS "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
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

# ---- 1. docker ----------------------------------------------------------------------------
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  docker build -t "$IMAGE" .
  [ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE")" = node ] || fail "the image does not run as the node user"
  [ -n "$(docker image inspect -f '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' "$IMAGE")" ] || fail "the image has no HEALTHCHECK"
  cid=$(docker run -d -p "127.0.0.1:$PORT:3000" "$IMAGE")
  trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
  [ "$(docker exec "$cid" id -u)" != 0 ] || fail "the container runs as root"
  check_answers
  docker stop -t 30 "$cid" >/dev/null
  code=$(docker inspect -f '{{.State.ExitCode}}' "$cid")
  [ "$code" = 0 ] || fail "exit code $code after SIGTERM"
  log "OK (docker): image builds, runs as non-root, has its HEALTHCHECK, answers, stops cleanly on SIGTERM"
  exit 0
fi

# ---- 2 and 3. podman, on the real base image or the stand-in ------------------------------
base=docker.io/library/node:24-slim
pull=(--pull=missing)
engine="podman, $base already present"
if ! command -v podman >/dev/null 2>&1; then
  if [ -f "$STAND_IN" ]; then
    bash "$STAND_IN" 24 # installs podman, buildah and debootstrap, then builds the stand-in
    engine="podman on a stand-in for node:24-slim"
    pull=(--pull=never)
  else
    skip "no Docker engine answers and podman is not installed; nothing to build the image with (install docker or podman and buildah)"
  fi
fi
command -v buildah >/dev/null 2>&1 || skip "podman is here but buildah, which runs the image, is not (apt-get install buildah)"

if ! podman image exists "$base"; then
  if podman pull -q "$base" >/dev/null 2>&1; then
    engine="podman, $base pulled"
  else
    [ -f "$STAND_IN" ] || skip "podman cannot pull $base (no registry reachable) and there is no $STAND_IN to build a stand-in"
    bash "$STAND_IN" 24
    engine="podman on a stand-in for node:24-slim"
    pull=(--pull=never)
  fi
fi

# --format docker: the OCI format has no HEALTHCHECK, and podman would drop the image's.
podman build "${pull[@]}" --format docker --isolation chroot -t "$IMAGE" . >/tmp/loss-service-podman-build.log 2>&1 \
  || { tail -30 /tmp/loss-service-podman-build.log; fail "podman build failed"; }
log "image built with $engine: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"

user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
[ "$user" = node ] || fail "the image's USER is '$user', not node"
health=$(podman image inspect --format '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' "$IMAGE")
[ -n "$health" ] || fail "the image has no HEALTHCHECK"
log "HEALTHCHECK kept: $health"
workdir=$(podman image inspect --format '{{.Config.WorkingDir}}' "$IMAGE")
# The CMD is `sh -c "exec node $(node src/heapFlag.ts) src/server.ts"`: one word per line.
mapfile -t cmd < <(podman image inspect --format '{{range .Config.Cmd}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')

runner=
service_pid=
ctr=$(buildah from --pull-never "localhost/$IMAGE")
cleanup() {
  # Only what this script started: the service's process (by PID) and its working container.
  [ -n "$service_pid" ] && kill -TERM "$service_pid" 2>/dev/null || true
  [ -n "$runner" ] && wait "$runner" 2>/dev/null || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT

uid=$(buildah run --isolation chroot --user "$user" "$ctr" -- id -u)
[ "$uid" != 0 ] || fail "the container runs as root"
log "runs as $user (uid $uid)"

# Chroot isolation shares the host's network: listen on loopback only, on a test port.
buildah run --isolation chroot --user "$user" --workingdir "$workdir" --env HOST=127.0.0.1 --env PORT="$PORT" --env LOG_LEVEL=warn \
  "$ctr" -- "${cmd[@]}" &
runner=$!

# The service is the node process among the descendants of the buildah run started above.
descendants() {
  local pid=$1 child
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
for _ in $(seq 1 150); do
  for p in $(descendants "$runner"); do
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^node .*src/server.ts'; then service_pid=$p; fi
  done
  [ -n "$service_pid" ] && break
  sleep 0.2
done
[ -n "$service_pid" ] || fail "cannot find the service's process under buildah run ($runner)"
check_answers

# The image sizes the V8 heap from the memory budget (src/heapFlag.ts).
grep -q -- '--max-old-space-size=' "/proc/$service_pid/cmdline" || fail "the service runs without a heap size from the budget: $(tr '\0' ' ' <"/proc/$service_pid/cmdline")"
log "heap flag: $(tr '\0' '\n' <"/proc/$service_pid/cmdline" | grep -- --max-old-space-size)"
kill -TERM "$service_pid"
set +e
wait "$runner"
code=$?
set -e
runner=
service_pid=
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
log "OK ($engine): image builds, runs as non-root, has its HEALTHCHECK, answers POST /loss and v2, exits 0 on SIGTERM"
