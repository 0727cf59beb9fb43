#!/usr/bin/env bash
# Print the command that runs uv, installing uv from PyPI first when it is missing.
# Progress goes to stderr so that callers can capture the command from stdout.
set -euo pipefail

if command -v uv >/dev/null 2>&1; then
    command -v uv
    exit 0
fi
for candidate in "$HOME/.local/bin/uv"; do
    if [ -x "$candidate" ]; then
        echo "$candidate"
        exit 0
    fi
done

PYTHON=$(command -v python3 || command -v python || true)
if [ -z "$PYTHON" ]; then
    echo "ensure-uv: no python3 found; install Python 3.11 or newer first" >&2
    exit 1
fi

echo "ensure-uv: uv not found, installing it with pip …" >&2
if [ "$(id -u)" = "0" ]; then
    attempts=("--user" "" "--break-system-packages")
else
    attempts=("--user" "--user --break-system-packages")
fi
for flags in "${attempts[@]}"; do
    # shellcheck disable=SC2086
    if "$PYTHON" -m pip install --quiet --disable-pip-version-check $flags uv >&2; then
        break
    fi
done

if command -v uv >/dev/null 2>&1; then
    command -v uv
elif [ -x "$HOME/.local/bin/uv" ]; then
    echo "$HOME/.local/bin/uv"
elif "$PYTHON" -m uv --version >/dev/null 2>&1; then
    echo "$PYTHON -m uv"
else
    echo "ensure-uv: could not install uv (try: $PYTHON -m pip install uv)" >&2
    exit 1
fi
