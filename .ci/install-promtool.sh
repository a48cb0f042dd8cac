#!/usr/bin/env bash
# Installs promtool (Prometheus' rule tester), which the observability tests run, unless one is
# already there ($PROMTOOL, PATH, or Go's bin directory). Debian's `prometheus` package when
# apt-get can be used (root or passwordless sudo), else a build of its Go module. Idempotent.
set -euo pipefail

PROMTOOL_MODULE="github.com/prometheus/prometheus/cmd/promtool@v0.316.0"
gobin="${GOBIN:-${GOPATH:-$HOME/go}/bin}"

for candidate in "${PROMTOOL:-}" "$(command -v promtool || true)" "$gobin/promtool"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "promtool: $candidate ($("$candidate" --version 2>&1 | head -n 1))"
    exit 0
  fi
done

as_root=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo"; fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$as_root" ]; }; then
  echo "installing Debian's prometheus package for promtool"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # Only promtool is wanted: do not leave a Prometheus server running where systemd started one.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    $as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
elif command -v go >/dev/null 2>&1; then
  echo "building $PROMTOOL_MODULE into $gobin (several minutes)"
  GOBIN="$gobin" go install "$PROMTOOL_MODULE"
else
  echo "cannot install promtool: needs apt-get with root or sudo, or Go; or set PROMTOOL to a promtool binary" >&2
  exit 1
fi

for candidate in "$(command -v promtool || true)" "$gobin/promtool"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "promtool: $candidate ($("$candidate" --version 2>&1 | head -n 1))"
    exit 0
  fi
done
echo "promtool was installed but is not on PATH nor in $gobin" >&2
exit 1
