#!/usr/bin/env bash
# A local Redis Cluster for the tests that need one: 3 masters, no replicas, on
# 127.0.0.1:7001-7003 (override with REDIS_CLUSTER_PORTS="7001 7002 7003"), data
# under ${TMPDIR:-/tmp}/herald-redis-cluster. Never touches the shared 6379.
#
#   redis-cluster.sh start    starts what is missing and forms the cluster; idempotent
#   redis-cluster.sh stop     shuts the three nodes down and removes their data
#   redis-cluster.sh status   prints each node's state; exit 0 when the cluster is ok
#
# Every wait is bounded (REDIS_CLUSTER_WAIT seconds, default 30).
set -euo pipefail

read -r -a PORTS <<<"${REDIS_CLUSTER_PORTS:-7001 7002 7003}"
DIR="${TMPDIR:-/tmp}/herald-redis-cluster"
WAIT="${REDIS_CLUSTER_WAIT:-30}"

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
up() { cli "$1" ping 2>/dev/null | grep -q PONG; }
cluster_ok() { cli "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }
slots_assigned() { cli "$1" cluster info 2>/dev/null | grep -q '^cluster_slots_assigned:16384'; }
all_ok() { for p in "${PORTS[@]}"; do cluster_ok "$p" || return 1; done; }

wait_for() { # what, command...
  local what=$1; shift
  local deadline=$((SECONDS + WAIT))
  until "$@"; do
    if ((SECONDS >= deadline)); then echo "redis-cluster: $what not within ${WAIT}s" >&2; return 1; fi
    sleep 0.2
  done
}

start() {
  if all_ok; then echo "redis-cluster: up (${PORTS[*]})"; return 0; fi
  for p in "${PORTS[@]}"; do
    if up "$p"; then continue; fi
    mkdir -p "$DIR/$p"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$p" \
      --cluster-enabled yes --cluster-config-file "$DIR/$p/nodes.conf" --cluster-node-timeout 5000 \
      --save "" --appendonly no --dir "$DIR/$p" --pidfile "$DIR/$p/redis.pid" --logfile "$DIR/$p/redis.log"
  done
  for p in "${PORTS[@]}"; do wait_for "node $p answering PING" up "$p"; done
  if ! slots_assigned "${PORTS[0]}"; then
    local nodes=()
    for p in "${PORTS[@]}"; do nodes+=("127.0.0.1:$p"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$DIR/create.log" 2>&1 || {
      cat "$DIR/create.log" >&2
      return 1
    }
  fi
  wait_for "cluster_state:ok on every node" all_ok
  echo "redis-cluster: up (${PORTS[*]})"
}

stop() {
  for p in "${PORTS[@]}"; do
    if up "$p"; then cli "$p" shutdown nosave >/dev/null 2>&1 || true; fi
  done
  for p in "${PORTS[@]}"; do wait_for "node $p to stop" bash -c "! redis-cli -h 127.0.0.1 -p $p ping >/dev/null 2>&1"; done
  rm -rf "$DIR"
  echo "redis-cluster: stopped"
}

status() {
  local ok=0
  for p in "${PORTS[@]}"; do
    if up "$p"; then
      echo "redis-cluster: $p $(cli "$p" cluster info | grep '^cluster_state' | tr -d '\r')"
      cluster_ok "$p" || ok=1
    else
      echo "redis-cluster: $p down"
      ok=1
    fi
  done
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
