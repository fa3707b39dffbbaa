#!/usr/bin/env bash
# Checks that the servers the integration tests need are up, and starts them
# when they are not (fault tests stop and kill them). Idempotent and bounded.
set -euo pipefail

wait_for() { # name, seconds, command...
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "services: $name did not come up within ${seconds}s" >&2; return 1; fi
    sleep 0.5
  done
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }
if redis_up; then
  echo "services: redis is up"
else
  echo "services: starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis 30 redis_up
  echo "services: redis is up"
fi

rabbit_up() { timeout 20 rabbitmqctl -q await_startup --timeout 15 && (exec 3<>/dev/tcp/127.0.0.1/5672); }
if rabbit_up; then
  echo "services: rabbitmq is up"
else
  if ! timeout 10 rabbitmqctl -q status >/dev/null 2>&1; then
    echo "services: starting rabbitmq"
    rabbitmq-server -detached || true
  else
    echo "services: rabbitmq node is running but the app is not; starting it"
    rabbitmqctl start_app || true
  fi
  wait_for rabbitmq 120 rabbit_up
  echo "services: rabbitmq is up"
fi

# @herald/amqp talks AMQP 1.0 to the same RabbitMQ (port 5672) through its plugin, off by
# default. Enabling it is online and idempotent (no restart of the broker).
if rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_amqp1_0; then
  echo "services: rabbitmq_amqp1_0 is enabled"
else
  echo "services: enabling rabbitmq_amqp1_0"
  timeout 60 rabbitmq-plugins enable rabbitmq_amqp1_0 >/dev/null
  echo "services: rabbitmq_amqp1_0 is enabled"
fi
