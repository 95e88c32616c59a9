#!/bin/sh
# The stand-in redis image's entrypoint (see the Dockerfile beside it), as the official one:
# options alone, or a config file first, go to redis-server; it runs as the redis user.
# The official image builds redis-server with protected mode off by default; Debian's has
# it on, so it is turned off here, before the caller's own options (which may turn it on).
set -eu
case ${1:-} in
  -*|*.conf) set -- redis-server "$@" ;;
esac
if [ "${1:-}" = redis-server ]; then
  shift
  case ${1:-} in
    *.conf) conf=$1; shift; set -- redis-server "$conf" --protected-mode no "$@" ;;
    *) set -- redis-server --protected-mode no "$@" ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis . 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
