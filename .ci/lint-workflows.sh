#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built once from the Go module proxy into a cache
# outside the repository (keyed by version), and checks that the CLI version the workflows
# install is the one package.json pins (@pulumi/pulumi).
# Usage: bash .ci/lint-workflows.sh [workflows-dir]   (or npm run lint:workflows)
# Exit codes: 0 valid, 1 a finding (actionlint's or a version mismatch), 2 bad usage.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${LANGCHAIN_HA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langchain-ha}"
version=1.7.12
bin="$cache/actionlint-$version/bin"

say() { printf '[workflows] %s\n' "$*" >&2; }

if [[ ! -x "$bin/actionlint" ]]; then
  command -v go >/dev/null || { say "error: go is not on the PATH (it builds actionlint)"; exit 1; }
  say "building actionlint v$version from the Go module proxy"
  start=$SECONDS
  tmp="$(mktemp -d)"
  GOBIN="$tmp" go install "github.com/rhysd/actionlint/cmd/actionlint@v$version"
  mkdir -p "$bin" && mv "$tmp/actionlint" "$bin/actionlint" && rmdir "$tmp"
  say "built actionlint in $((SECONDS - start)) s"
fi

dir="${1:-$repo/.github/workflows}"
shopt -s nullglob
files=("$dir"/*.yml "$dir"/*.yaml)
if [[ ${#files[@]} -eq 0 ]]; then say "error: no workflow files in $dir"; exit 2; fi
"$bin/actionlint" -no-color "${files[@]}" || exit 1
say "actionlint v$version: ${#files[@]} workflow file(s) in $dir are valid"

pinned="$(node -p "require('$repo/package.json').dependencies['@pulumi/pulumi']")"
status=0
while IFS= read -r line; do
  file="${line%%:*}"
  used="$(sed -E 's/.*pulumi-version:[[:space:]]*"?([^"[:space:]]+)"?.*/\1/' <<<"$line")"
  if [[ "$used" != "$pinned" ]]; then
    say "error: $file installs Pulumi $used, but package.json pins @pulumi/pulumi $pinned"
    status=1
  fi
done < <(grep -H 'pulumi-version:' "${files[@]}" || true)
exit $status
