#!/usr/bin/env bash
# Usage: scripts/start_redis.sh COMMAND [ARGS...]
#
# Runs COMMAND with a throwaway redis-server on a free 127.0.0.1 port, exported as
# REDIS_URL=redis://127.0.0.1:PORT/0. Redis runs in the foreground of this script's job
# (no --daemonize), so the EXIT trap can always stop it: nothing is left running, whatever
# COMMAND does. Exits with COMMAND's status. No persistence (--save '', no AOF).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server not found (make setup)" >&2; exit 1; }

workdir=$(mktemp -d -t ecg-redis.XXXXXX)
redis_pid=

stop_redis() {
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap stop_redis EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ping() {  # true once redis answers PING on port $1
  python3 - "$1" <<'EOF'
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
EOF
}

# The port can be taken between free_port and bind: retry a few times.
for _attempt in 1 2 3 4 5; do
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$workdir" --logfile "$workdir/redis.log" &
  redis_pid=$!
  for _ in $(seq 50); do
    ping "$port" && break
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ping "$port"; then break; fi
  stop_redis
  workdir=$(mktemp -d -t ecg-redis.XXXXXX)
  redis_pid=
done
[ -n "$redis_pid" ] || { echo "could not start redis-server" >&2; exit 1; }

export REDIS_URL="redis://127.0.0.1:$port/0"
echo "[redis] $REDIS_URL (pid $redis_pid)" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
