#!/usr/bin/env bash
# Everything the tests need on this machine, checked and made ready:
# - the servers: Redis (127.0.0.1:6379) and RabbitMQ (127.0.0.1:5672) answering,
#   started when they are not (fault tests stop and kill them). Servers that
#   already answer on those ports (docker-compose.yml, a system service) are used
#   as they are and nothing is installed for them;
# - the programs a stopped server needs (redis-server, rabbitmq-server) and
#   Chromium (the dashboard's browser test), installed from Debian's packages
#   when missing (as root); where that is impossible it names what to install
#   and fails, so no test is ever skipped for want of it.
# Idempotent and bounded.
set -euo pipefail

wait_for() { # name, seconds, command...
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "services: $name did not come up within ${seconds}s" >&2; return 1; fi
    sleep 0.5
  done
}

apt_updated=0
# Installs Debian package $2 when command $1 is missing; says exactly what to do when it cannot.
ensure_command() { # command, debian package, what needs it[, another way]
  local cmd=$1 package=$2 why=$3 alternative=${4:-}
  if command -v "$cmd" >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "services: '$cmd' is missing ($why). Install Debian's '$package' package (apt-get install $package)${alternative:+ $alternative}, then run the tests again." >&2
    return 1
  fi
  echo "services: installing Debian's '$package' ($why)"
  if [ "$apt_updated" -eq 0 ]; then
    timeout 300 apt-get update -qq >/dev/null || { echo "services: apt-get update failed; install '$package' by hand" >&2; return 1; }
    apt_updated=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1; then
    echo "services: apt-get install $package failed; install it by hand" >&2
    return 1
  fi
  command -v "$cmd" >/dev/null 2>&1 || { echo "services: '$package' was installed but '$cmd' is still not on PATH" >&2; return 1; }
}

# Network checks, so a server in a container counts as much as a local one.
redis_up() { # PING over the wire: answers +PONG once Redis accepts commands
  timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && printf "PING\r\n" >&3 && IFS= read -r line <&3 && [[ $line == +PONG* ]]' 2>/dev/null
}
rabbit_up() { # an AMQP 0-9-1 header answered by a frame: the broker's listener is up and serving
  timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672 && printf "AMQP\x00\x00\x09\x01" >&3 && [ "$(head -c 1 <&3 | od -An -tu1 | tr -d " ")" = 1 ]' 2>/dev/null
}

missing=0
ensure_command chromium chromium "the demo dashboard's browser test" || missing=1

if redis_up; then
  echo "services: redis is up"
elif ensure_command redis-server redis-server "the Redis packages' integration tests" "or start Redis with 'docker compose up -d redis'"; then
  echo "services: starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis 30 redis_up || missing=1
  redis_up && echo "services: redis is up"
else
  missing=1
fi

if rabbit_up; then
  echo "services: rabbitmq is up"
elif ensure_command rabbitmq-server rabbitmq-server "the RabbitMQ package's integration tests" "or start RabbitMQ with 'docker compose up -d rabbitmq'"; then
  if ! timeout 10 rabbitmqctl -q status >/dev/null 2>&1; then
    echo "services: starting rabbitmq"
    rabbitmq-server -detached || true
  else
    echo "services: rabbitmq node is running but the app is not; starting it"
    rabbitmqctl start_app || true
  fi
  # await_startup returns once the node has booted; the listener check then proves it serves clients.
  timeout 130 rabbitmqctl -q await_startup --timeout 120 >/dev/null 2>&1 || true
  wait_for rabbitmq 120 rabbit_up || missing=1
  rabbit_up && echo "services: rabbitmq is up"
else
  missing=1
fi

# @herald/amqp talks AMQP 1.0 to the same RabbitMQ (port 5672) through its plugin, off by
# default. Enabling it is online and idempotent (no restart of the broker). A broker in a
# container (docker-compose.yml) has it enabled by its own configuration.
if [ "$missing" -eq 0 ] && command -v rabbitmq-plugins >/dev/null 2>&1; then
  if rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_amqp1_0; then
    echo "services: rabbitmq_amqp1_0 is enabled"
  elif timeout 60 rabbitmq-plugins enable rabbitmq_amqp1_0 >/dev/null; then
    echo "services: rabbitmq_amqp1_0 enabled"
  else
    echo "services: could not enable RabbitMQ's rabbitmq_amqp1_0 plugin (rabbitmq-plugins enable rabbitmq_amqp1_0)" >&2
    missing=1
  fi
fi

exit "$missing"
