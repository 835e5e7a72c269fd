#!/usr/bin/env bash
# Runs every test of opsconsole. Usage: scripts/test.sh
# Installs what the tests need when it is missing (a Rust toolchain must be present).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "scripts/test.sh: cargo not found; install Rust from https://rustup.rs first" >&2
  exit 1
fi

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
