#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite and print its URL.
#
#   scripts/start-temp-postgres.sh DIR [--install]
#
# The cluster lives in DIR (created, or reused if empty), listens on a free port of
# 127.0.0.1 only, trusts local connections and runs with fsync off: it is for tests and
# nothing else. Stop it and remove DIR with scripts/stop-temp-postgres.sh DIR.
# --install installs Debian's postgresql package when no server binaries are found.
# As root the server runs as the "postgres" system user (initdb refuses root).
set -euo pipefail

DIR=${1:?usage: start-temp-postgres.sh DIR [--install]}
INSTALL=${2:-}

log() { echo "start-temp-postgres: $*" >&2; }

as_root() {
    if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

BINDIR=$(find_bindir || true)
if [ -z "$BINDIR" ]; then
    if [ "$INSTALL" != "--install" ]; then
        log "no PostgreSQL server binaries (initdb, pg_ctl) found"
        exit 1
    fi
    log "installing PostgreSQL from Debian packages …"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BINDIR=$(find_bindir) || { log "PostgreSQL installed but initdb not found"; exit 1; }
fi

RUN=()
if [ "$(id -u)" = "0" ]; then
    if ! id postgres >/dev/null 2>&1; then
        as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    fi
    RUN=(runuser -u postgres --)
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ "$(id -u)" = "0" ]; then
    chown postgres: "$DIR"
    chmod 0700 "$DIR"
    if ! "${RUN[@]}" test -w "$DIR"; then
        log "the postgres user cannot reach $DIR (a parent folder is private); use a folder such as \$(mktemp -d)"
        exit 1
    fi
fi

"${RUN[@]}" "$BINDIR/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale \
    >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
"${RUN[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >&2 || { cat "$DIR/postgres.log" >&2; exit 1; }
echo "$BINDIR" >"$DIR/bindir"
echo "$PORT" >"$DIR/port"
log "PostgreSQL ($("$BINDIR/postgres" --version)) on 127.0.0.1:$PORT, data in $DIR"
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
