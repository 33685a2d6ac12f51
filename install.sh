#!/usr/bin/env bash
# Build guard with cargo and install it (and its shell completions, if present) into a prefix.
#
#   ./install.sh                   # installs into ~/.local (bin/guard, share/...)
#   ./install.sh --prefix /usr/local
#   PREFIX=/opt/guard ./install.sh
#
# Safe to run again: it rebuilds and overwrites the installed files.
set -euo pipefail

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "$0"
}

prefix="${PREFIX:-$HOME/.local}"
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix)
            [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
            prefix="$2"
            shift 2
            ;;
        --prefix=*)
            prefix="${1#--prefix=}"
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "install.sh: unknown argument: $1" >&2
            usage >&2
            exit 2
            ;;
    esac
done

# A relative prefix is relative to where install.sh was run from.
case "$prefix" in
    /*) ;;
    *) prefix="$PWD/$prefix" ;;
esac

cd "$(dirname "$0")"

if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo not found; install the Rust toolchain (https://rustup.rs) first" >&2
    exit 1
fi

echo "==> cargo build --release --locked"
cargo build --release --locked

bindir="$prefix/bin"
install -d "$bindir"
install -m 0755 target/release/guard "$bindir/guard"
echo "installed $bindir/guard"

# Shell completions, when the repository ships them.
install_completion() {
    local src="$1" dest_dir="$2" dest_name="$3"
    if [ -f "completions/$src" ]; then
        install -d "$dest_dir"
        install -m 0644 "completions/$src" "$dest_dir/$dest_name"
        echo "installed $dest_dir/$dest_name"
    fi
}
install_completion guard.bash "$prefix/share/bash-completion/completions" guard
install_completion _guard "$prefix/share/zsh/site-functions" _guard
install_completion guard.fish "$prefix/share/fish/vendor_completions.d" guard.fish

case ":$PATH:" in
    *":$bindir:"*) ;;
    *)
        echo
        echo "note: $bindir is not on your PATH; add it, e.g. in ~/.bashrc:"
        echo "    export PATH=\"$bindir:\$PATH\""
        ;;
esac
