#!/usr/bin/env bash
# Whole-process costs, measured with hyperfine (Debian package `hyperfine`):
#  1. guarding a command (`guard -- /bin/true`: analyse, decide, sign and append a record, exec)
#     against starting `bash -c /bin/true` — target: no slower;
#  2. shell mode (`guard -c true`) against `bash -c true`;
#  3. `guard check` against `shellcheck` over the same scripts — target: 100x faster.
# Usage: bench/startup.sh [path/to/guard]   (default: target/release/guard, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
GUARD=${1:-target/release/guard}
[ -x "$GUARD" ] || cargo build --release --locked
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GUARD_AUDIT_LOG=$tmp/audit.jsonl GUARD_KEY=$tmp/key
"$GUARD" -- /bin/true # create the key outside the measurement
hyperfine -N --warmup 20 --runs 300 \
  "bash -c /bin/true" "$GUARD -- /bin/true" "$GUARD -c true" \
  "$GUARD check -c 'psql -c \"DELETE FROM t WHERE id = 1\"'"
"$GUARD" audit verify
# Scripts from /usr/bin (shell scripts only) for the check comparison.
mapfile -t scripts < <(grep -lIE '^#!.*(ba|da)?sh' /usr/bin/* 2>/dev/null | head -100)
echo "check vs shellcheck over ${#scripts[@]} scripts from /usr/bin"
if command -v shellcheck >/dev/null; then
  hyperfine --warmup 1 --runs 5 -i \
    "$GUARD check ${scripts[*]}" \
    "shellcheck -S error ${scripts[*]}"
else
  echo "install shellcheck (apt-get install shellcheck) for the comparison"
  hyperfine --warmup 1 --runs 5 -i "$GUARD check ${scripts[*]}"
fi
