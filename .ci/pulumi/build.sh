#!/usr/bin/env bash
# Builds what test/engine runs, into a cache outside the repository, once:
#   - the Pulumi CLI at the version of @pulumi/pulumi in package.json, from the Go module
#     proxy through the build module beside this script (.ci/pulumi/go.mod);
#   - the stand-ins of test/engine/standins: pulumi-language-nodejs and the provider
#     plugins pulumi-resource-{aws,gcp,kubernetes}, keyed by a hash of their sources.
# Progress goes to stderr; stdout gets two lines, `cli=<dir>` and `standins=<dir>`.
# Usage: bash .ci/pulumi/build.sh   (or npm run engine:build)
# Environment: LANGCHAIN_HA_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/langchain-ha),
# GOFLAGS (-p=2 is added unless it names a -p).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/.ci/pulumi"
standins_src="$repo/test/engine/standins"
cache="${LANGCHAIN_HA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langchain-ha}"
# Two packages compiled at once: the build fits a 2-core machine that others share (peak RSS
# about 2.1 GB, in the link). A -p already in GOFLAGS wins.
[[ " ${GOFLAGS:-} " == *" -p="* ]] || export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=2"

say() { printf '[engine build] %s\n' "$*" >&2; }
die() { printf '[engine build] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "go is not on the PATH (Go 1.25 or newer builds the Pulumi CLI)"
command -v node >/dev/null || die "node is not on the PATH"

version="$(node -p "require('$repo/package.json').dependencies['@pulumi/pulumi']")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "package.json pins @pulumi/pulumi to '$version', not an exact version"
grep -q "github.com/pulumi/pulumi/pkg/v3 v$version" "$here/go.mod" ||
  die ".ci/pulumi/go.mod does not require pkg/v3 v$version (package.json's @pulumi/pulumi): update both together"

# An install goes into a temporary directory and is moved into place whole, so an
# interrupted build never leaves a half-built cache entry behind.
install_dir() {
  local dest="$1" tmp
  tmp="$(mktemp -d "$cache/.tmp.XXXXXX")" && chmod 755 "$tmp"
  "${@:2}" "$tmp" || { rm -rf "$tmp"; return 1; }
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp" "$dest"
}

build_cli() {
  local out="$1" start=$SECONDS
  say "building the Pulumi CLI v$version from the Go module proxy (GOFLAGS=$GOFLAGS; a cold build takes several minutes)"
  (cd "$here" && go build \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  say "built the Pulumi CLI in $((SECONDS - start)) s"
}

build_standins() {
  local out="$1" start=$SECONDS
  say "building the language host and provider stand-ins"
  (cd "$standins_src" && go build -o "$out/" ./langhost &&
    go build -ldflags "-X main.versions=$provider_versions" -o "$out/" ./provider)
  mv "$out/langhost" "$out/pulumi-language-nodejs"
  for pkg in aws gcp kubernetes; do ln "$out/provider" "$out/pulumi-resource-$pkg"; done
  rm "$out/provider"
  say "built the stand-ins in $((SECONDS - start)) s"
}

mkdir -p "$cache"

cli_dir="$cache/pulumi-$version/bin"
if [[ -x "$cli_dir/pulumi" ]] && "$cli_dir/pulumi" version >/dev/null 2>&1; then
  say "Pulumi CLI v$version: cached in $cli_dir"
else
  install_dir "$cli_dir" build_cli || die "the Pulumi CLI v$version did not build (see the go output above)"
fi

# The provider stand-in reports, per package, the version of its SDK in package.json.
provider_versions="$(node -p "['aws', 'gcp', 'kubernetes'].map((p) => p + '=' + require('$repo/package.json').dependencies['@pulumi/' + p]).join(',')")"
hash="$( (cd "$standins_src" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum
  echo "$provider_versions") | sha256sum | cut -c1-16)"
standins_dir="$cache/standins-$hash/bin"
if [[ -x "$standins_dir/pulumi-language-nodejs" ]]; then
  say "stand-ins: cached in $standins_dir"
else
  install_dir "$standins_dir" build_standins || die "the stand-ins did not build (see the go output above)"
  # Builds of older sources are never used again.
  for old in "$cache"/standins-*; do [[ "$old" == "$cache/standins-$hash" ]] || rm -rf "$old"; done
fi

echo "cli=$cli_dir"
echo "standins=$standins_dir"
