#!/usr/bin/env bash
# Runs every test of opsconsole. Usage: scripts/test.sh
# Installs what the tests need when it is missing (a Rust toolchain must be present).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "scripts/test.sh: cargo not found; install Rust from https://rustup.rs first" >&2
  exit 1
fi

# The console's end-to-end test drives the real binary in tmux.
need() { command -v "$1" >/dev/null 2>&1; }
install() {
  if need apt-get; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    elif need sudo; then
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    fi
  fi
}
need tmux || install tmux
need pgrep || install procps
for tool in tmux pgrep; do
  if ! need "$tool"; then
    echo "scripts/test.sh: $tool is needed by the console tests and could not be installed" >&2
    exit 1
  fi
done

# The Docker integration tests run against two private Docker engines (one a single-node swarm,
# one a plain engine), started here and stopped when the tests end. dockerd needs root.
docker_dir=""
cleanup() {
  if [ -n "$docker_dir" ]; then
    scripts/dockerd.sh stop "$docker_dir/swarm" || true
    scripts/dockerd.sh stop "$docker_dir/plain" || true
    rm -rf "$docker_dir"
  fi
}
trap cleanup EXIT
if [ "$(id -u)" = 0 ]; then
  need dockerd || install docker.io
  need busybox || install busybox-static
fi
if [ "$(id -u)" = 0 ] && need dockerd && need busybox; then
  echo "== private Docker engines"
  docker_dir=$(mktemp -d /tmp/opsconsole-docker.XXXXXX)
  OPSCONSOLE_TEST_DOCKER=$(scripts/dockerd.sh start "$docker_dir/swarm")
  OPSCONSOLE_TEST_DOCKER_PLAIN=$(scripts/dockerd.sh start "$docker_dir/plain" --plain)
  export OPSCONSOLE_TEST_DOCKER OPSCONSOLE_TEST_DOCKER_PLAIN
elif [ "${CI:-}" = true ]; then
  echo "scripts/test.sh: the Docker tests need root, docker.io and busybox-static; they must run in CI" >&2
  exit 1
else
  echo "scripts/test.sh: WARNING: no private dockerd (needs root, docker.io, busybox-static): the Docker tests will not run" >&2
fi

echo "== build"
cargo build --workspace --all-targets --locked

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

echo "== benchmarks compile"
cargo bench --workspace --locked --no-run >/dev/null

echo "scripts/test.sh: all tests passed"
