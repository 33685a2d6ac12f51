#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the test suite:
rule and catalog examples, tests/corpus/ordinary.txt, the vendored dcg corpus, string literals
of tests/*.rs, the rule and catalog files themselves, and audit logs signed by a `guard` binary
with the fixed key of fuzz_targets/audit_verify.rs.

Usage: fuzz/seeds.py [PATH-TO-GUARD-BINARY]   (default: $CARGO_TARGET_DIR/debug/guard, else
target/debug/guard; without a binary the audit_verify corpus is left empty)."""

import glob, hashlib, os, re, shlex, subprocess, sys, tempfile, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")
SQL_CLIENTS = {"psql", "mysql", "mariadb", "sqlite3", "duckdb"}
SQL_WORDS = re.compile(r"\b(select|insert|update|delete|drop|truncate|alter|create|grant|revoke|copy|begin|vacuum)\b", re.I)
KEY_SEED = "07" * 32  # fuzz_targets/audit_verify.rs: SEED = [7; 32]


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data:
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def examples(text):
    """Every one-line string of a rule or catalog file (its examples among them; the files use
    TOML 1.1, which Python's tomllib does not read, so this scans string literals)."""
    for basic, literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'', text):
        s = basic.encode().decode("unicode_escape", errors="ignore") if basic else literal
        if len(s) > 2:
            yield s


def sql_of(line):
    """The SQL texts a client line carries (-c/-e/--command values and trailing quoted words)."""
    try:
        words = shlex.split(line)
    except ValueError:
        return []
    if not words or os.path.basename(words[0]) not in SQL_CLIENTS:
        return []
    return [w for w in words[1:] if SQL_WORDS.search(w)]


def main():
    shell, sql = set(), set()
    data_files = sorted(glob.glob(os.path.join(ROOT, "rules", "*.toml"))) + sorted(glob.glob(os.path.join(ROOT, "catalog", "*.toml")))
    for path in data_files:
        with open(path) as f:
            text = f.read()
        write("rules" if "/rules/" in path else "catalog", text)
        # One seed per entry too: small inputs mutate better than whole files.
        for chunk in re.split(r"(?m)^(?=\[\[(?:rule|program)\]\])", text):
            if chunk.startswith("[["):
                write("rules" if "/rules/" in path else "catalog", chunk)
        for line in examples(text):
            shell.add(line)
            sql.update(sql_of(line))
    with open(os.path.join(ROOT, "tests", "corpus", "ordinary.txt")) as f:
        shell.update(l.rstrip("\n") for l in f if l.strip() and not l.startswith("#"))
    for path in glob.glob(os.path.join(ROOT, "tests", "corpus", "dcg", "**", "*.toml"), recursive=True):
        with open(path, "rb") as f:
            for case in tomllib.load(f).get("case", []):
                if "command" in case:
                    shell.add(case["command"])
    for path in glob.glob(os.path.join(ROOT, "tests", "*.rs")):
        with open(path) as f:
            for lit in re.findall(r'"((?:[^"\\\n]|\\.){3,400})"', f.read()):
                lit = lit.encode().decode("unicode_escape", errors="ignore")
                (sql if SQL_WORDS.search(lit) and " " in lit else shell).add(lit)
    for line in list(shell):
        sql.update(sql_of(line))
    for s in shell:
        write("shell", s)
    for s in sql:
        write("sql", s)
    audit_logs()
    for t in sorted(os.listdir(OUT)):
        print(f"{t}: {len(os.listdir(os.path.join(OUT, t)))} seeds")


def audit_logs():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    guard = sys.argv[1] if len(sys.argv) > 1 else os.path.join(target, "debug", "guard")
    if not os.path.exists(guard):
        print(f"no guard binary at {guard}: audit_verify gets no seeds", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as d:
        key = os.path.join(d, "audit.key")
        with open(key, "w") as f:
            f.write(KEY_SEED + "\n")
        os.chmod(key, 0o600)
        log = os.path.join(d, "audit.jsonl")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GUARD_")}
        env.update(GUARD_AUDIT_LOG=log, GUARD_KEY=key)
        lines = ["true", "echo hi", "rm -rf /", "psql -c 'DROP TABLE users'", "ls -la"]
        for i, line in enumerate(lines):
            subprocess.run([guard, "--", "bash", "-c", line], env=env, cwd=d, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            with open(log, "rb") as f:
                write("audit_verify", f.read())


if __name__ == "__main__":
    main()
