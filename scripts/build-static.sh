#!/usr/bin/env bash
# Builds the single static binary that releases ship: Linux x86_64 (or the
# host's architecture), glibc linked statically (static-pie), symbols
# stripped. Needs only the standard Rust toolchain and libc6-dev (libc.a),
# no musl target. Prints where the binary is and checks that it really has
# no dynamic dependencies and runs with an empty environment.
set -euo pipefail
cd "$(dirname "$0")/.."

target="$(rustc -vV | sed -n 's/^host: //p')"
case "$target" in
  *-linux-gnu) ;;
  *) echo "static builds are set up for Linux (glibc) hosts; this is $target" >&2; exit 2 ;;
esac

RUSTFLAGS="-C target-feature=+crt-static" \
CARGO_PROFILE_RELEASE_DEBUG=0 \
CARGO_PROFILE_RELEASE_STRIP=symbols \
  cargo build --release --locked --target "$target"

bin="target/$target/release/spof"
if ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "error: $bin links shared libraries:" >&2
  ldd "$bin" >&2
  exit 1
fi
env -i "$bin" --version
version="$(env -i "$bin" --version | awk '{print $2}')"
mkdir -p dist
out="dist/spof-$version-$target"
cp "$bin" "$out"
(cd dist && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")
echo "$out ($(du -h "$out" | cut -f1)), static; checksum in $out.sha256"
