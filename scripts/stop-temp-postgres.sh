#!/usr/bin/env bash
# Stop a server started by scripts/start-temp-postgres.sh DIR and delete DIR.
set -euo pipefail

DIR=${1:?usage: stop-temp-postgres.sh DIR}
[ -d "$DIR" ] || exit 0
if [ -f "$DIR/bindir" ] && [ -d "$DIR/data" ]; then
    RUN=()
    if [ "$(id -u)" = "0" ]; then RUN=(runuser -u postgres --); fi
    "${RUN[@]}" "$(cat "$DIR/bindir")/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
fi
rm -rf "$DIR"
