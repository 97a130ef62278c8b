#!/usr/bin/env bash
# Make sure the system tools the handbook needs are on PATH, installing them on Debian/Ubuntu when we can.
#   scripts/ensure_system.sh python3-venv clang [chromium]     (make serve/docs: the first two; make test: all three)
# clang: tinygrad's CPU device compiles every kernel (and its own helper programs) with clang;
#        without it tinygrad reports only "no usable devices".
# chromium: the browser tests drive Debian's Chromium with Playwright (no browser download).
set -euo pipefail

declare -A PKG=([clang]="clang" [chromium]="chromium" [python3-venv]="python3-venv")
declare -A HINT=(
  [clang]="tinygrad's CPU device needs clang on PATH: install it (Debian/Ubuntu: sudo apt-get install clang; Fedora: sudo dnf install clang; macOS: xcode-select --install) and run make again"
  [chromium]="the browser tests need Chromium on PATH as \`chromium\`: install it (Debian: sudo apt-get install chromium) and run make again"
  [python3-venv]="python3 cannot create virtual environments: install python3 >= 3.11 with venv (Debian/Ubuntu: sudo apt-get install python3-venv) and run make again"
)

have() {
  case "$1" in
    python3-venv) python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for tool in "$@"; do have "$tool" || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0

can_apt() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; }
if can_apt; then
  pkgs=(); for tool in "${missing[@]}"; do pkgs+=("${PKG[$tool]}"); done
  echo "installing ${pkgs[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null \
    || echo "apt-get could not install ${pkgs[*]}" >&2   # the hint below says what to do instead
fi
for tool in "${missing[@]}"; do
  have "$tool" || { echo "error: ${HINT[$tool]}" >&2; exit 1; }
done
