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
# Needs: apt-get, dpkg, shellcheck, taskset (util-linux), GNU time (/usr/bin/time).
set -euo pipefail

cd "$(dirname "$0")/.."
guard=${1:-${CARGO_TARGET_DIR:-target}/release/guard}
RUNS=${RUNS:-5}
for p in "$guard" shellcheck apt-get dpkg taskset /usr/bin/time; do
    command -v "$p" >/dev/null 2>&1 || { echo "bench/check.sh: $p not found" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download bash-completion >/dev/null 2>&1 && dpkg -x bash-completion_*.deb root)
mapfile -t files < <(find "$tmp/root/usr/share/bash-completion" -type f | LC_ALL=C sort)
echo "bash-completion $(dpkg-deb -f "$tmp"/bash-completion_*.deb Version): ${#files[@]} files"

# "WALL CPU" seconds of one run of "$@" (CPU = user + system, which the load of other
# processes on a shared machine does not inflate); output discarded, status ignored (both
# tools exit 1 when they find something).
measure() {
    local t
    t=$(mktemp)
    /usr/bin/time -f "%e %U %S" -o "$t" "$@" >/dev/null 2>&1 || true
    # GNU time writes "Command exited with non-zero status N" first; the numbers are last.
    tail -n 1 "$t" | awk '{ printf "%.3f %.3f", $1, $2 + $3 }'
    rm -f "$t"
}

# The best (lowest wall) of $RUNS runs.
best() {
    local b="" t
    for _ in $(seq "$RUNS"); do
        t=$(measure "$@")
        if [ -z "$b" ] || awk -v t="${t%% *}" -v b="${b%% *}" 'BEGIN { exit !(t < b) }'; then b=$t; fi
    done
    echo "$b"
}

compare() {
    local label=$1
    shift
    local g s
    g=$(best "$@" "$guard" check --format json "${files[@]}")
    s=$(measure "$@" shellcheck -s bash -f json "${files[@]}")
    awk -v l="$label" -v g="$g" -v s="$s" 'BEGIN {
        split(g, G, " "); split(s, S, " ");
        printf "%-26s guard %6.3f s (cpu %6.3f s)   shellcheck %7.3f s (cpu %7.3f s)   ratio %5.0fx (cpu %5.0fx)\n",
            l, G[1], G[2], S[1], S[2], S[1] / G[1], S[2] / G[2] }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
compare "all cores ($(nproc)):"
compare "one core (taskset -c 0):" taskset -c 0
