# The hub as a container: built with the Rust toolchain, run on a slim Debian base as an
# unprivileged user. Configuration comes from HUB_* variables (see README).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin hub

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/hub --create-home hub
COPY --from=build /src/target/release/hub /usr/local/bin/hub
USER hub
WORKDIR /var/lib/hub
ENV HUB_LISTEN=0.0.0.0:8080 HUB_DATA_DIR=/var/lib/hub/data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/hub"]
CMD ["serve"]
