# shellcheck shell=bash
# Shared by tests/container/run and tests/container/seed-images (sourced, not run).
# - a Docker engine: the one running, else (as root) Debian's docker.io, started here
#   and stopped again by the caller's clean-up (hub_ct_stop_dockerd);
# - the compose command: `docker compose` (v2 plugin), else `docker-compose` (v1, which is
#   Debian bookworm's), installed from Debian's packages when neither is there;
# - the network `docker build` uses: the default bridge when a container there reaches
#   Debian's mirror, else the host's (HUB_CT_BUILD_NETWORK=default|host overrides).

hub_ct_log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
hub_ct_die() { hub_ct_log "error: $*"; exit 1; }

hub_ct_apt_install() {
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    hub_ct_die "needs the Debian packages $*; install them (apt-get install $*) and run again"
  fi
  hub_ct_log "installing Debian's $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

HUB_CT_DOCKERD_PID=
# Makes `docker` reach an engine. A machine without one (a CI VM, say) gets Debian's
# docker.io, started in the background with its log in $1/dockerd.log.
hub_ct_ensure_docker() {
  local state=$1
  command -v docker >/dev/null || hub_ct_apt_install docker.io
  docker info >/dev/null 2>&1 && return 0
  [[ $(id -u) -eq 0 ]] || hub_ct_die "no Docker engine answers, and only root may start one here"
  if ! command -v dockerd >/dev/null; then
    # Keep the package's scripts from starting the service: it is started just below.
    local had_policy=yes
    [[ -e /usr/sbin/policy-rc.d ]] || { had_policy=; printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; }
    hub_ct_apt_install docker.io
    [[ -n $had_policy ]] || rm -f /usr/sbin/policy-rc.d
  fi
  # Niced: the builds and containers it runs inherit it, and give way to other work here.
  hub_ct_log "no Docker engine is running: starting dockerd, niced (log: $state/dockerd.log)"
  nice -n 10 dockerd >"$state/dockerd.log" 2>&1 &
  HUB_CT_DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$HUB_CT_DOCKERD_PID" 2>/dev/null || { tail -20 "$state/dockerd.log" >&2; hub_ct_die "dockerd exited"; }
    sleep 0.5
  done
  hub_ct_die "dockerd did not answer within 30 s (see $state/dockerd.log)"
}

# Stops the engine hub_ct_ensure_docker started, if it did (images and volumes stay on disk).
hub_ct_stop_dockerd() {
  [[ -n $HUB_CT_DOCKERD_PID ]] || return 0
  if [[ -n ${HUB_CT_KEEP_DOCKERD:-} ]]; then
    hub_ct_log "leaving dockerd (pid $HUB_CT_DOCKERD_PID) running (HUB_CT_KEEP_DOCKERD)"
    return 0
  fi
  kill -TERM "$HUB_CT_DOCKERD_PID" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$HUB_CT_DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
  HUB_CT_DOCKERD_PID=
}

# The compose command, for the scripts that source this file.
# shellcheck disable=SC2034
HUB_CT_COMPOSE=()
hub_ct_ensure_compose() {
  if docker compose version >/dev/null 2>&1; then
    # shellcheck disable=SC2034
    HUB_CT_COMPOSE=(docker compose)
  else
    command -v docker-compose >/dev/null || hub_ct_apt_install docker-compose
    # shellcheck disable=SC2034
    HUB_CT_COMPOSE=(docker-compose)
  fi
}

# Prints `default` or `host`: whether `docker build` can reach the package registries from
# the default bridge network (a container's apt-get update on debian:bookworm-slim), or
# must use the host's network.
hub_ct_build_network() {
  if [[ -z ${HUB_CT_BUILD_NETWORK:-} ]]; then
    if timeout 120 docker run --rm debian:bookworm-slim \
        apt-get -o Acquire::Retries=0 -o Acquire::http::Timeout=20 update -qq >/dev/null 2>&1; then
      HUB_CT_BUILD_NETWORK=default
    else
      HUB_CT_BUILD_NETWORK=host
      hub_ct_log "containers on the default bridge do not reach Debian's mirror: building with --network host"
    fi
    export HUB_CT_BUILD_NETWORK
  fi
  printf '%s\n' "$HUB_CT_BUILD_NETWORK"
}
