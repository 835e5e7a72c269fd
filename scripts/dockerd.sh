#!/usr/bin/env bash
# A private Docker engine for the Docker integration tests.
#
#   scripts/dockerd.sh start DIR [--plain]
#                                  starts dockerd with all its state under DIR, imports a busybox
#                                  image (busybox:latest, tagged busybox:1.31 too), runs
#                                  `swarm init` (not with --plain), and prints the DOCKER_HOST to
#                                  use (unix://DIR/docker.sock)
#   scripts/dockerd.sh stop DIR    leaves the swarm, stops the daemon and removes DIR
#
# Needs root (dockerd), docker.io and busybox-static (scripts/test.sh installs them).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
mode=${3:-swarm}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: scripts/dockerd.sh start|stop DIR" >&2
  exit 2
fi
sock="$dir/docker.sock"
export DOCKER_HOST="unix://$sock"

stop() {
  if [ -f "$dir/dockerd.pid" ]; then
    pid=$(cat "$dir/dockerd.pid")
    docker swarm leave --force >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # containerd-shims of the private daemon live under DIR.
  pkill -f "containerd-shim.*$dir" 2>/dev/null || true
  # Mounts made by the daemon (vfs has none, but netns/shm mounts may linger).
  if [ -d "$dir" ]; then
    grep -o " $dir[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$dir"
  fi
}

case "$cmd" in
  start)
    mkdir -p "$dir/data" "$dir/exec"
    # Its own containerd namespace, so two private daemons never share containers.
    ns="opsconsole-$(basename "$dir")"
    # No registry here: swarm tasks use the local image instead of trying to pull it first.
    DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 dockerd --data-root "$dir/data" --exec-root "$dir/exec" --host "unix://$sock" \
      --containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
      --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
      --pidfile "$dir/dockerd.pid" >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 300); do
      if docker version >/dev/null 2>&1; then break; fi
      sleep 0.1
    done
    if ! docker version >/dev/null 2>&1; then
      echo "scripts/dockerd.sh: dockerd did not start; its log:" >&2
      tail -n 30 "$dir/dockerd.log" >&2
      exit 1
    fi
    root="$dir/rootfs"
    mkdir -p "$root/bin" "$root/tmp" "$root/etc"
    cp "$(command -v busybox)" "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
    tar -C "$root" -cf "$dir/busybox.tar" .
    docker import -c 'CMD ["sh"]' "$dir/busybox.tar" busybox:latest >/dev/null
    docker tag busybox:latest busybox:1.31
    rm -rf "$root" "$dir/busybox.tar"
    if [ "$mode" != "--plain" ]; then
      # A port of its own, so it never clashes with another engine's swarm on this machine.
      port=$((20000 + RANDOM % 20000))
      docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$port" >/dev/null
    fi
    echo "$DOCKER_HOST"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: scripts/dockerd.sh start|stop DIR" >&2
    exit 2
    ;;
esac
