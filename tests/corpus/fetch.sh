#!/usr/bin/env bash
# Downloads the files tests/corpus/ci_files.toml names, at their pinned commits, into DIR
# (DIR/OWNER/NAME/PATH), from raw.githubusercontent.com. Usage: tests/corpus/fetch.sh DIR
set -euo pipefail
dir=${1:?usage: fetch.sh DIR}
manifest="$(dirname "$0")/ci_files.toml"
python3 - "$manifest" "$dir" <<'PY'
import os, sys, tomllib, urllib.request
manifest, out = sys.argv[1], sys.argv[2]
with open(manifest, "rb") as f:
    m = tomllib.load(f)
for r in m["repo"]:
    for p in r["paths"]:
        dest = os.path.join(out, r["name"], p)
        if os.path.isfile(dest):
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        url = f"https://raw.githubusercontent.com/{r['name']}/{r['commit']}/{p}"
        with urllib.request.urlopen(url, timeout=60) as resp, open(dest, "wb") as f:
            f.write(resp.read())
print(f"corpus: {sum(len(r['paths']) for r in m['repo'])} files in {out}")
PY
