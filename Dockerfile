# scimfuzz in a small image: a Rust build stage, then a slim runtime that runs as a non-root user.
# Not built by this project's CI (its machines cannot run docker): build it with
#   docker build -t scimfuzz .
# and run e.g. `docker run --rm scimfuzz fuzz --target https://scim.example.com/scim/v2 --auth "Bearer …"`.
FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo install --locked --path . --root /out

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home scimfuzz
COPY --from=build /out/bin/scimfuzz /usr/local/bin/scimfuzz
USER 10001
WORKDIR /home/scimfuzz
ENTRYPOINT ["scimfuzz"]
CMD ["--help"]
