# The hub as a container: built with the Rust toolchain, run on a slim Debian base as an
# unprivileged user (uid 10001). Configuration comes from HUB_* variables (README,
# "Configuration"); a secret may come from a file instead (HUB_MASTER_KEY_FILE,
# HUB_ADMIN_TOKEN_FILE, HUB_DATABASE_URL_FILE, HUB_REDIS_URL_FILE), as docker-compose.yml does.
#
#   docker build -t hub .
#   docker run -d --name hub -p 8080:8080 -v hub-data:/var/lib/hub/data hub
#
# With no database configured the hub keeps its SQLite file and generated master key in the
# volume at /var/lib/hub/data. Plain Dockerfile syntax (no BuildKit-only features), so the
# classic builder builds it as well as BuildKit does.

FROM rust:1.95-bookworm AS build
# Passkeys (webauthn-rs 0.6) need no system library: their cryptography is RustCrypto
# (crypto-glue), not OpenSSL, so neither libssl-dev nor pkg-config is installed here.
# rustc processes at once (cargo's default: one per CPU).
ARG CARGO_BUILD_JOBS
WORKDIR /src

# The dependencies first, in a layer of their own, rebuilt only when a manifest or
# Cargo.lock changes: each workspace member's manifest, and an empty file for each of its
# targets. A new workspace member, or a target with its own path, is added here too.
COPY Cargo.toml Cargo.lock ./
COPY server/Cargo.toml server/
COPY migrations/Cargo.toml migrations/
COPY tests/Cargo.toml tests/
COPY examples/rust-openidconnect/Cargo.toml examples/rust-openidconnect/
RUN set -eu; \
    for target in server/src/lib.rs migrations/src/lib.rs tests/src/lib.rs tests/e2e/main.rs; do \
        mkdir -p "$(dirname "$target")"; : > "$target"; \
    done; \
    for target in server/src/main.rs tests/bench/main.rs examples/rust-openidconnect/src/main.rs; do \
        mkdir -p "$(dirname "$target")"; echo 'fn main() {}' > "$target"; \
    done; \
    [ -n "${CARGO_BUILD_JOBS:-}" ] || unset CARGO_BUILD_JOBS; \
    cargo build --release --locked --bin hub

COPY . .
# COPY keeps the sources' own times, which may be older than the empty files' build:
# touching the crates' roots makes cargo rebuild the hub's own crates from the real sources.
RUN set -eu; \
    touch server/src/lib.rs server/src/main.rs migrations/src/lib.rs; \
    [ -n "${CARGO_BUILD_JOBS:-}" ] || unset CARGO_BUILD_JOBS; \
    cargo build --release --locked --bin hub; \
    ./target/release/hub --version

FROM debian:bookworm-slim
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 hub; \
    useradd --system --uid 10001 --gid hub --home-dir /var/lib/hub --no-create-home \
        --shell /usr/sbin/nologin hub; \
    mkdir -p /var/lib/hub/data; \
    chown -R hub:hub /var/lib/hub; \
    chmod 0750 /var/lib/hub/data
COPY --from=build /src/target/release/hub /usr/local/bin/hub
ENV HUB_LISTEN=0.0.0.0:8080 HUB_DATA_DIR=/var/lib/hub/data
WORKDIR /var/lib/hub
# Numeric, so that a runtime can tell it is not root without reading /etc/passwd.
USER 10001:10001
# The embedded default's SQLite database and master key (unused with PostgreSQL and
# HUB_MASTER_KEY). A new named volume starts owned by the hub user.
VOLUME /var/lib/hub/data
EXPOSE 8080
# `hub healthcheck` asks /readyz (the database and the session store) at HUB_LISTEN's port.
HEALTHCHECK --interval=10s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/hub", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/hub"]
CMD ["serve"]
