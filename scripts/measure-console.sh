#!/usr/bin/env bash
# Measures the console on the real binary in tmux: time to the first frame, bytes written to
# the terminal and CPU used while idle, and resident memory, with a cluster of 10,000 tasks
# on 100 nodes — or, with --kube, 10,000 pods on 100 nodes of the built-in Kubernetes
# cluster, shown through the Kubernetes backend (kube-rs watchers over the served API).
# Usage: scripts/measure-console.sh [--kube] [SECONDS_IDLE]
# (OPSCONSOLE_BIN=PATH measures that binary instead of building this tree's.)
set -euo pipefail
cd "$(dirname "$0")/.."
kube=
if [ "${1:-}" = --kube ]; then kube=--kube; shift; fi
idle=${1:-60}
bin=${OPSCONSOLE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked -q
  bin=$PWD/target/release/opsconsole
fi
work=$(mktemp -d)
sock=measure-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
state=$work/state

if [ -n "$kube" ]; then
  echo "== a Kubernetes cluster of 10,000 pods on 100 nodes"
  "$bin" ctl --state "$state" sim node add w --cluster kubernetes --count 96 --cpus 16 --memory 64g >/dev/null
  for i in $(seq 0 9); do
    "$bin" ctl --state "$state" kubectl create deployment "d$i" --image=nginx:1.16-alpine --replicas=1000 >/dev/null
  done
  "$bin" ctl --state "$state" sim advance 5m >/dev/null
  ready="pods running"
else
  echo "== a cluster of 10,000 tasks on 100 nodes"
  "$bin" ctl --state "$state" sim node add worker --count 97 >/dev/null
  for i in $(seq 0 9); do
    "$bin" ctl --state "$state" docker service create --detach --name "s$i" --replicas 1000 nginx >/dev/null
  done
  "$bin" ctl --state "$state" sim advance 2m >/dev/null
  ready="10000/10000 tasks"
fi

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

tmux -L "$sock" new-session -d -s m -x 120 -y 40 \
  "OPSCONSOLE_TIMING=1 ${MEASURE_ENV:-} $bin --state $state $kube 2>$work/timing; sleep 600"
for _ in $(seq 100); do
  tmux -L "$sock" capture-pane -p -t m | grep -q "$ready" && break
  sleep 0.2
done
tmux -L "$sock" capture-pane -p -t m | head -1
sleep 2
console=$(pgrep -f "^$bin --state $state" | grep -v serve | head -1)
server=$(pgrep -f "$bin serve --state $state" | head -1)

for pane in 2 3; do
  tmux -L "$sock" send-keys -t m "$pane"
  sleep 2
  : >"$work/bytes"
  tmux -L "$sock" pipe-pane -t m -o "cat >> $work/bytes"
  c0=$(ticks "$console"); s0=$(ticks "$server")
  sleep "$idle"
  c1=$(ticks "$console"); s1=$(ticks "$server")
  tmux -L "$sock" pipe-pane -t m
  hz=$(getconf CLK_TCK)
  echo "== idle ${idle}s on pane $pane: $(wc -c <"$work/bytes") bytes to the terminal;" \
    "console CPU $(awk "BEGIN {printf \"%.3f\", 100*($c1-$c0)/$hz/$idle}")% of a core;" \
    "server CPU $(awk "BEGIN {printf \"%.3f\", 100*($s1-$s0)/$hz/$idle}")%"
done
echo "== resident memory: console $(rss "$console") kB, cluster server $(rss "$server") kB"
tmux -L "$sock" send-keys -t m q
sleep 1
cat "$work/timing"
