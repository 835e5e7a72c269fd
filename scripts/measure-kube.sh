#!/usr/bin/env bash
# Measures the built-in Kubernetes cluster with the real kubectl and with `opsconsole ctl
# kubectl` side by side: `get pods -A` over 10,000 pods (wall time of each, and the
# server's), how long a 10,000-replica Deployment takes to be all Running (in wall time, at
# --speed 10), and `apply -f` of a 1,000-object manifest (created, then unchanged). Prints
# the figures; asserts nothing (benchmarks: `cargo bench --bench kube`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/opsconsole
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work/home" KUBECONFIG="$work/state/kubeconfig"
mkdir -p "$HOME"
"$bin" --state "$work/state" ctl sim node add w --cluster kubernetes --count 96 --cpus 16 --memory 64g > /dev/null
"$bin" --state "$work/state" serve --kube-api 127.0.0.1:0 --speed 10 > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q ready "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
cat > "$work/big.yml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: big
spec:
  replicas: 10000
  selector:
    matchLabels: {app: big}
  template:
    metadata:
      labels: {app: big}
    spec:
      containers:
      - name: c
        image: nginx:1.16-alpine
        resources:
          requests: {cpu: 10m, memory: 16Mi}
YAML
start=$(date +%s.%N)
kubectl apply -f "$work/big.yml" > /dev/null
until [ "$(kubectl get deploy big -o jsonpath='{.status.readyReplicas}')" = "10000" ]; do sleep 1; done
end=$(date +%s.%N)
echo "10000-replica Deployment all ready: $(echo "$end - $start" | bc) s wall (at --speed 10)"
kubectl get pods -A > /dev/null # warm kubectl's discovery cache
for i in 1 2 3; do
  s=$(date +%s.%N)
  n=$(kubectl get pods -A --no-headers | wc -l)
  e=$(date +%s.%N)
  echo "kubectl get pods -A: $n pods in $(echo "$e - $s" | bc) s wall"
  s=$(date +%s.%N)
  n=$("$bin" --state "$work/state" ctl kubectl get pods -A --no-headers | wc -l)
  e=$(date +%s.%N)
  echo "opsconsole ctl kubectl get pods -A: $n pods in $(echo "$e - $s" | bc) s wall"
done
s=$(date +%s.%N)
kubectl get --raw '/api/v1/pods?limit=500' > /dev/null
e=$(date +%s.%N)
echo "one page of 500 (as JSON): $(echo "$e - $s" | bc) s wall"

# A 1,000-object manifest: 500 ConfigMaps and 500 Services, in one file.
for i in $(seq 500); do
  printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%s}\ndata: {k: v%s}\n' "$i" "$i"
  printf -- '---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-%s}\nspec: {selector: {app: a%s}, ports: [{port: 80}]}\n' "$i" "$i"
done > "$work/many.yml"
for who in kubectl opsconsole; do
  ns="apply-$who"
  kubectl create namespace "$ns" > /dev/null
  run() {
    if [ "$who" = kubectl ]; then kubectl -n "$ns" apply -f "$work/many.yml"; else "$bin" --state "$work/state" ctl kubectl -n "$ns" apply -f "$work/many.yml"; fi
  }
  s=$(date +%s.%N); n=$(run | grep -c created); e=$(date +%s.%N)
  echo "$who apply -f (1,000 objects, $n created): $(echo "$e - $s" | bc) s wall"
  s=$(date +%s.%N); n=$(run | grep -c unchanged); e=$(date +%s.%N)
  echo "$who apply -f again ($n unchanged): $(echo "$e - $s" | bc) s wall"
done
