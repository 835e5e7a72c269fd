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

echo "== build"
cargo build --all-targets --locked

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi

echo "== benchmarks compile"
cargo bench --locked --no-run >/dev/null

echo "scripts/test.sh: all tests passed"
