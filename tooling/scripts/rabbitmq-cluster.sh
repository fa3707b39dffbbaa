#!/usr/bin/env bash
# A private three-node RabbitMQ cluster on this machine, for the cluster tests
# and `pnpm bench rabbitmq-cluster`. It never touches the shared broker on 5672:
# its own node names, ports, data directories, config files and Erlang cookie.
#
#   tooling/scripts/rabbitmq-cluster.sh start    # idempotent; returns once the 3 nodes are clustered
#   tooling/scripts/rabbitmq-cluster.sh status   # one line per node: name, AMQP port, running or not
#   tooling/scripts/rabbitmq-cluster.sh stop     # stops the nodes and removes their data
#   tooling/scripts/rabbitmq-cluster.sh ctl 2 stop_app   # rabbitmqctl against node 2, with the cluster's cookie
#
#   node          AMQP   distribution
#   herald-c1@localhost  5681   25681
#   herald-c2@localhost  5682   25682
#   herald-c3@localhost  5683   25683
#
# Environment: HERALD_RABBITMQ_CLUSTER_DIR (default ${TMPDIR:-/tmp}/herald-rabbitmq-cluster).
# The CLI tools read the cookie from $HOME/.erlang.cookie, so every call here runs
# with HOME set to the cluster directory: the shared node's cookie is never read or changed.
set -euo pipefail

DIR=${HERALD_RABBITMQ_CLUSTER_DIR:-${TMPDIR:-/tmp}/herald-rabbitmq-cluster}
NODES=(1 2 3)
START_TIMEOUT_S=${HERALD_RABBITMQ_CLUSTER_TIMEOUT_S:-240}

# The packaged /usr/sbin wrappers switch to the rabbitmq user (and its cookie);
# call the real scripts so HOME, and with it the cookie, stays ours.
sbin_dir() {
  if [[ -n ${RABBITMQ_SBIN:-} ]]; then echo "$RABBITMQ_SBIN"; return; fi
  if [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then echo /usr/lib/rabbitmq/bin; return; fi
  dirname "$(readlink -f "$(command -v rabbitmq-server)")"
}
SBIN=$(sbin_dir)

node_name() { echo "herald-c$1@localhost"; }
amqp_port() { echo $((5680 + $1)); }
dist_port() { echo $((25680 + $1)); }

# The environment every server and CLI call gets: our cookie (HOME), our env file
# instead of /etc/rabbitmq/rabbitmq-env.conf, CLI distribution ports in our range.
with_env() { # node-index, command...
  local i=$1; shift
  env HOME="$DIR" \
    RABBITMQ_CONF_ENV_FILE="$DIR/rabbitmq-env.conf" \
    RABBITMQ_NODENAME="$(node_name "$i")" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$i")" \
    RABBITMQ_DIST_PORT="$(dist_port "$i")" \
    RABBITMQ_CTL_DIST_PORT_MIN=25684 RABBITMQ_CTL_DIST_PORT_MAX=25689 \
    RABBITMQ_CONFIG_FILE="$DIR/c$i/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$DIR/c$i/mnesia" \
    RABBITMQ_MNESIA_DIR="$DIR/c$i/mnesia/$(node_name "$i")" \
    RABBITMQ_PLUGINS_EXPAND_DIR="$DIR/c$i/plugins-expand" \
    RABBITMQ_LOG_BASE="$DIR/c$i/log" \
    RABBITMQ_PID_FILE="$DIR/c$i/pid" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    "$@"
}

ctl() { # node-index, rabbitmqctl args...
  local i=$1; shift
  with_env "$i" timeout 60 "$SBIN/rabbitmqctl" -n "$(node_name "$i")" "$@"
}

# Cheap checks first: every rabbitmqctl call boots an Erlang VM (seconds on a busy machine).
running() { # node-index: is its Erlang VM alive (by pid file)?
  local pid
  pid=$(cat "$DIR/c$1/pid" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

running_nodes() { # the cluster's running members, one per line, as node 1 sees them
  ctl 1 -q cluster_status --formatter json 2>/dev/null |
    grep -o '"running_nodes":\[[^]]*\]' | grep -o 'herald-c[0-9]@localhost' || true
}

prepare() {
  mkdir -p "$DIR"
  if [[ ! -f $DIR/.erlang.cookie ]]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/.erlang.cookie")
  fi
  chmod 400 "$DIR/.erlang.cookie"
  echo '# herald cluster: nothing here, so /etc/rabbitmq/rabbitmq-env.conf is not read' >"$DIR/rabbitmq-env.conf"
  # No plugins: no management UI, no Prometheus — the nodes share 2 cores with everything else.
  echo '[].' >"$DIR/enabled_plugins"
  for i in "${NODES[@]}"; do
    mkdir -p "$DIR/c$i/log" "$DIR/c$i/mnesia"
    cat >"$DIR/c$i/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$i")
loopback_users = none
log.console = false
log.file.level = warning
EOF
  done
}

wait_until() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      echo "rabbitmq-cluster: $what did not happen within ${seconds}s (logs: $DIR/c*/log)" >&2
      return 1
    fi
    sleep 1
  done
}

start_node() {
  local i=$1
  if running "$i"; then return 0; fi
  # Erlang schedulers: one busy-waiting scheduler per core per node would starve the
  # other nodes and the clients; no busy waiting.
  with_env "$i" RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none" \
    setsid "$SBIN/rabbitmq-server" >"$DIR/c$i/log/stdout.log" 2>&1 </dev/null &
}

join_node() {
  local i=$1
  # The CLI prints the joining node's start-up warnings: keep them in its log.
  {
    ctl "$i" -q stop_app
    ctl "$i" -q reset
    ctl "$i" -q join_cluster "$(node_name 1)"
    ctl "$i" -q start_app
  } >>"$DIR/c$i/log/join.log" 2>&1
}

await_node() { # node-index: returns once its app has started (one CLI call that waits)
  local i=$1
  wait_until "$START_TIMEOUT_S" "$(node_name "$i") pid file" test -s "$DIR/c$i/pid"
  with_env "$i" timeout "$((START_TIMEOUT_S + 30))" "$SBIN/rabbitmqctl" -n "$(node_name "$i")" -q \
    wait "$DIR/c$i/pid" --timeout "$START_TIMEOUT_S" >/dev/null
}

all_three_running() { test "$(running_nodes | wc -l)" -eq 3; }

cmd_start() {
  prepare
  for i in "${NODES[@]}"; do start_node "$i"; done
  local pids=() i
  for i in "${NODES[@]}"; do await_node "$i" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid"; done
  local members
  members=$(running_nodes)
  pids=()
  for i in 2 3; do
    if ! grep -qx "$(node_name "$i")" <<<"$members"; then join_node "$i" & pids+=($!); fi
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  wait_until "$START_TIMEOUT_S" "all 3 nodes running in one cluster" all_three_running
  cmd_status
}

cmd_stop() {
  # In parallel; `stop <pidfile>` returns once that process has exited (bounded by ctl's timeout).
  for i in "${NODES[@]}"; do
    if [[ -f $DIR/c$i/pid ]]; then ctl "$i" -q stop "$DIR/c$i/pid" >/dev/null 2>&1 & fi
  done
  wait
  rm -rf "$DIR"
  echo "rabbitmq-cluster: stopped"
}

cmd_status() {
  if [[ ! -d $DIR ]]; then echo "rabbitmq-cluster: not started"; return 0; fi
  local members='' i state
  if running 1; then members=$(running_nodes); fi
  for i in "${NODES[@]}"; do
    state=down
    if grep -qx "$(node_name "$i")" <<<"$members"; then state=running
    elif running "$i"; then state="up, not running in the cluster (app stopped or not joined)"; fi
    echo "$(node_name "$i") amqp://127.0.0.1:$(amqp_port "$i") $state"
  done
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  ctl)
    [[ ${2:-} =~ ^[123]$ ]] || { echo "usage: $0 ctl 1|2|3 rabbitmqctl-args..." >&2; exit 2; }
    i=$2; shift 2; ctl "$i" "$@" ;;
  *) echo "usage: $0 start|stop|status|ctl N args..." >&2; exit 2 ;;
esac
