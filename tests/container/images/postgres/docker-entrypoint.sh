#!/usr/bin/env bash
# The stand-in postgres image's entrypoint (see the Dockerfile beside it): what the official
# image's docker-entrypoint.sh does for a first start, in short. On an empty PGDATA it runs
# initdb for POSTGRES_USER with POSTGRES_PASSWORD (or the file POSTGRES_PASSWORD_FILE
# names), creates POSTGRES_DB, runs /docker-entrypoint-initdb.d/*.sql and *.sh, then
# starts the server listening on every address with scram-sha-256 for TCP.
set -Eeuo pipefail

# VAR from VAR or from the file VAR_FILE names (read as root: the file may be root's only).
file_env() {
  local var=$1 file_var="${1}_FILE"
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2
    exit 1
  fi
  if [[ -n ${!file_var:-} ]]; then
    export "$var"="$(<"${!file_var}")"
    unset "$file_var"
  fi
}

if [[ ${1:0:1} == - ]]; then
  set -- postgres "$@"
fi

if [[ $1 == postgres ]]; then
  file_env POSTGRES_PASSWORD
  export POSTGRES_USER=${POSTGRES_USER:-postgres}
  export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
  if [[ $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
  fi

  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    if [[ -z ${POSTGRES_PASSWORD:-} && ${POSTGRES_HOST_AUTH_METHOD:-} != trust ]]; then
      echo "error: the database is uninitialized and POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is not set" >&2
      exit 1
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
      --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} >/dev/null
    {
      echo "listen_addresses = '*'"
    } >>"$PGDATA/postgresql.conf"
    echo "host all all all ${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"

    # A server on the socket only, so nobody reaches it over TCP before it is ready.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
    psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
    if [[ $POSTGRES_DB != postgres ]]; then
      "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;' >/dev/null
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      # shellcheck disable=SC1090 # the scripts an operator mounts there
      case $f in
        *.sh) echo "running $f"; . "$f" ;;
        *.sql) echo "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
        *) ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL init process complete; ready for start up."
  fi
  unset POSTGRES_PASSWORD
fi

exec "$@"
