# The Cairn worker image: Node 22 (LTS), Cairn compiled, and the PostgreSQL client programs Cairn runs
# (pg_dump for backups, pg_restore for restores and dump validation).
#
#   docker build -t cairn .                                   # client 16, for PostgreSQL 16 servers
#   docker build -t cairn --build-arg PG_CLIENT_MAJOR=17 .    # client 17, for PostgreSQL 17 servers
#
# Which PostgreSQL servers one client version N serves:
#   backup  (pg_dump N):    servers of major version <= N. pg_dump refuses newer servers, and Cairn says so
#                           before it starts dumping.
#   restore (pg_restore N): servers of major version >= N. pg_restore starts every restore with the SET
#                           commands of its own release; from 17 on that includes `SET transaction_timeout`,
#                           which servers <= 16 reject, and Cairn restores with --exit-on-error.
# So build with PG_CLIENT_MAJOR equal to your servers' major version. The default, 16, matches the
# postgres:16 service in docker-compose.yml. Only one client is installed on purpose: Cairn picks the newest
# one under /usr/lib/postgresql, so a second, newer client would silently take over restores.
#
# PG_CLIENT_MAJOR=15 comes straight from Debian bookworm. Every other version comes from the PostgreSQL
# project's own apt repository (apt.postgresql.org), enabled with the script and signing key that Debian's
# postgresql-common package ships: plain apt, no curl, no key download.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so editing Cairn's source does not re-download them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The build compiles the tests too (they need the dev dependencies); the image ships neither.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf dist/test

FROM ${NODE_IMAGE}
ARG PG_CLIENT_MAJOR=16
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    if [ "$PG_CLIENT_MAJOR" != 15 ]; then \
      apt-get install -y --no-install-recommends ca-certificates postgresql-common; \
      /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
    fi; \
    # zstd: to restore a .dump.zst by hand from inside the image (zstd -dc x.dump.zst | pg_restore -d db).
    apt-get install -y --no-install-recommends "postgresql-client-$PG_CLIENT_MAJOR" zstd; \
    rm -rf /var/lib/apt/lists/*; \
    "/usr/lib/postgresql/$PG_CLIENT_MAJOR/bin/pg_dump" --version; \
    "/usr/lib/postgresql/$PG_CLIENT_MAJOR/bin/pg_restore" --version

ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by the worker's user: a compromised worker cannot rewrite Cairn.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin

# The node image's unprivileged user (uid 1000). Cairn writes nothing to local disk: dumps stream to S3.
USER node
ENTRYPOINT ["node", "bin/cairn.js"]
CMD ["worker"]
