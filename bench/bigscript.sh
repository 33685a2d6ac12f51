#!/usr/bin/env bash
# Big inputs (issue 7): time and peak RSS of `guard check` on generated scripts, with the
# targets beside them (docs/performance.md). Needs GNU time (/usr/bin/time) and python3.
# Usage: bench/bigscript.sh [path/to/guard]   (default: target/release/guard)
set -euo pipefail
cd "$(dirname "$0")/.."
GUARD=${1:-target/release/guard}
[ -x "$GUARD" ] || cargo build --release --locked
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import shlex, sys
d = sys.argv[1]
cmds = ["ls -la /tmp/x{i}", "git status", "echo hello $i | grep foo",
        "if [ -f /tmp/a{i} ]; then cat /tmp/a{i}; fi", "for f in *.txt; do wc -l \"$f\"; done",
        "x{i}=$(date +%s)", "sudo -u root nice -n 5 timeout 5 ls -la /tmp/x{i} | grep foo",
        "f{i}() {{ echo \"$@\"; }}", "curl -s https://example.com/{i} -o /tmp/out{i}", "psql -c 'SELECT {i}'"]
def lines(n):
    return "\n".join(cmds[i % len(cmds)].format(i=i) for i in range(n)) + "\n"
for n in (10000, 20000, 40000, 100000):
    open(f"{d}/lines{n}.sh", "w").write(lines(n))
out, size, i = [], 0, 0
while size < 50 << 20:
    l = cmds[i % len(cmds)].format(i=i); out.append(l); size += len(l) + 1; i += 1
open(f"{d}/script50mb.sh", "w").write("\n".join(out) + "\n")
out, size, i = ["psql app <<'EOF'"], 0, 0
while size < 50 << 20:
    l = f"INSERT INTO t (id, name) VALUES ({i}, 'name {i}');"; out.append(l); size += len(l) + 1; i += 1
open(f"{d}/heredoc50mb.sh", "w").write("\n".join(out + ["EOF"]) + "\n")
open(f"{d}/statements100k.sql", "w").write("\n".join(f"UPDATE t SET a = {i} WHERE id = {i};" for i in range(100000)) + "\n")
s = "ls -la"
for _ in range(13):
    s = "bash -c " + shlex.quote(s)
open(f"{d}/nest13.sh", "w").write(s + "\n")
PY
head -c 9000000 "$(command -v bash)" > "$tmp/binary9mb" 2>/dev/null || head -c 9000000 /dev/urandom > "$tmp/binary9mb"
run() { # name target file
  /usr/bin/time -f "%e %M" -o "$tmp/t" timeout 300 "$GUARD" check "$tmp/$3" >/dev/null 2>&1 || true
  read -r secs kb < <(tail -1 "$tmp/t")
  printf '%-28s %8s s %8s MB   target %s\n' "$1" "$secs" "$((kb / 1024))" "$2"
}
run "10,000 lines" "-" lines10000.sh
run "20,000 lines" "-" lines20000.sh
run "40,000 lines" "-" lines40000.sh
run "100,000 lines" "<= 1 s" lines100000.sh
run "100,000 SQL statements" "<= 1 s" statements100k.sql
run "bash -c nesting depth 13" "bounded" nest13.sh
run "9 MB binary" "<= 0.2 s" binary9mb
run "50 MB script" "<= 5 s, <= 200 MB" script50mb.sh
run "50 MB SQL heredoc" "<= 5 s, <= 200 MB" heredoc50mb.sh
# The audit append after a 20 MB script (shell mode runs it; the next append must stay fast).
export GUARD_AUDIT_LOG=$tmp/audit.jsonl GUARD_KEY=$tmp/key
{ echo true; head -c 20000000 < <(yes '# a comment line of a generated script, padding it out to twenty megabytes'); } > "$tmp/big20.sh"
"$GUARD" "$tmp/big20.sh" || true # shell mode: its verdict does not matter here
/usr/bin/time -f "%e" -o "$tmp/t" "$GUARD" -- /bin/true
printf '%-28s %8s s   record %s bytes   target: bounded\n' "append after 20 MB" "$(tail -1 "$tmp/t")" "$(tail -2 "$tmp/audit.jsonl" | head -1 | wc -c)"
"$GUARD" audit verify
