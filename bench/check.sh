#!/usr/bin/env bash
# guard check against shellcheck on every file of Debian's bash-completion package.
#
# Downloads the package with `apt-get download` and unpacks it with `dpkg -x` into a temp
# dir, then times, in one run:
#   guard check --format json FILES...          (all cores)
#   shellcheck -s bash -f json FILES...         (one invocation, all files)
# and the same two pinned to one core with `taskset -c 0`. Prints both times and the ratio.
# guard's time is the best of $RUNS runs (it is short enough for noise to matter);
# shellcheck runs once.
#
# Usage: bench/check.sh [GUARD_BINARY]   (default: $CARGO_TARGET_DIR or target, release build)
# Needs: apt-get, dpkg, shellcheck, taskset (util-linux).
set -euo pipefail

cd "$(dirname "$0")/.."
guard=${1:-${CARGO_TARGET_DIR:-target}/release/guard}
RUNS=${RUNS:-5}
for p in "$guard" shellcheck apt-get dpkg taskset; do
    command -v "$p" >/dev/null 2>&1 || { echo "bench/check.sh: $p not found" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download bash-completion >/dev/null 2>&1 && dpkg -x bash-completion_*.deb root)
mapfile -t files < <(find "$tmp/root/usr/share/bash-completion" -type f | LC_ALL=C sort)
echo "bash-completion $(dpkg-deb -f "$tmp"/bash-completion_*.deb Version): ${#files[@]} files"

# Seconds (with ms) one run of "$@" takes; the output is discarded, the status ignored
# (both tools exit 1 when they find something).
seconds() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}

best() {
    local b="" t
    for _ in $(seq "$RUNS"); do
        t=$(seconds "$@")
        if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
    done
    echo "$b"
}

compare() {
    local label=$1
    shift
    local g s
    g=$(best "$@" "$guard" check --format json "${files[@]}")
    s=$(seconds "$@" shellcheck -s bash -f json "${files[@]}")
    awk -v l="$label" -v g="$g" -v s="$s" 'BEGIN {
        printf "%-22s guard %7.3f s   shellcheck %7.3f s   ratio %6.0fx\n", l, g, s, s / g }'
}

compare "all cores ($(nproc)):"
compare "one core (taskset -c 0):" taskset -c 0
