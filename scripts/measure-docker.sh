#!/usr/bin/env bash
# Measures the CPU the console adds to dockerd + containerd with 100 running containers (a
# 100-replica swarm service on a private engine): the engine's CPU over a window with no
# console, then over the same window with the console open on the tasks pane.
#
#   scripts/measure-docker.sh [SECONDS]      (default 60; needs root, docker.io, busybox-static)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
cargo build --release --quiet
dir=$(mktemp -d /tmp/opsconsole-measure.XXXXXX)
trap 'tmux kill-session -t measure 2>/dev/null || true; scripts/dockerd.sh stop "$dir/engine"' EXIT
export DOCKER_HOST=$(scripts/dockerd.sh start "$dir/engine")
docker service create -q --detach --name hundred --replicas 100 --stop-grace-period 1s \
  busybox sleep 100000 >/dev/null
echo "waiting for 100 running containers..."
for _ in $(seq 1 600); do
  n=$(docker ps -q --filter status=running | wc -l)
  [ "$n" -ge 100 ] && break
  sleep 1
done
echo "running containers: $(docker ps -q --filter status=running | wc -l)"
sleep 20

ticks() {
  # utime + stime of dockerd, containerd and the shims (clock ticks)
  local total=0
  for pid in $(pgrep -f "dockerd --data-root $dir/engine") $(pgrep -f "containerd.*$dir/engine"); do
    if [ -r "/proc/$pid/stat" ]; then
      set -- $(sed 's/.*) //' "/proc/$pid/stat")
      total=$((total + ${12} + ${13}))
    fi
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
window() {
  local a b
  a=$(ticks)
  sleep "$secs"
  b=$(ticks)
  echo "scale=3; ($b - $a) * 100 / $hz / $secs" | bc
}
idle=$(window)
echo "engine CPU without the console: ${idle}% of a core"
tmux new-session -d -s measure -x 200 -y 50 "target/release/opsconsole --docker $DOCKER_HOST"
sleep 5
tmux send-keys -t measure 3
sleep 5
console_pid=$(pgrep -f "target/release/opsconsole --docker unix" | head -1)
c0=$(set -- $(sed 's/.*) //' "/proc/$console_pid/stat"); echo $((${12} + ${13})))
with=$(window)
c1=$(set -- $(sed 's/.*) //' "/proc/$console_pid/stat"); echo $((${12} + ${13})))
echo "engine CPU with the console:    ${with}% of a core"
echo "the console's own CPU:          $(echo "scale=3; ($c1 - $c0) * 100 / $hz / $secs" | bc)% of a core"
echo "console RSS: $(awk '/VmRSS/ {print $2 " kB"}' "/proc/$console_pid/status")"
tmux capture-pane -p -t measure | head -5
tmux kill-session -t measure
idle2=$(window)
echo "engine CPU without the console, again: ${idle2}% of a core"
echo "added by the console:           $(echo "scale=3; $with - ($idle + $idle2) / 2" | bc)% of a core"
