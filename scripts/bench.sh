#!/usr/bin/env bash
# Run every benchmark in benchmarks/ (see benchmarks/README.md); arguments go to each.
# They are not part of `make test`: a shared machine is noisy, so compare figures taken
# in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(scripts/ensure-uv.sh)}
shopt -s nullglob
found=0
for script in benchmarks/*.py; do
    case "$(basename "$script")" in __init__.py | _*) continue ;; esac
    found=1
    echo "==> $script"
    # shellcheck disable=SC2086  # UV may be "python3 -m uv"
    $UV run --frozen python "$script" "$@"
done
if [ "$found" = 0 ]; then
    echo "bench: no benchmarks in benchmarks/" >&2
    exit 1
fi
