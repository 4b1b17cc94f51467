#!/usr/bin/env bash
# Sets up a fresh machine for gm-infra: Debian packages the tests need, the .venv, the project.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(nginx shellcheck cloud-init systemd graphviz chromium wrk)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (tests that need them will skip): ${missing[*]}" >&2
  fi
fi

# pip install, quiet; this machine's pip config names local mirrors that may be absent.
pip_install() {
  local log status=0
  log=$(mktemp)
  .venv/bin/python -m pip install -q "$@" >"$log" 2>&1 || status=$?
  grep -v "is ignored: it is neither a file nor a directory" "$log" >&2 || true
  rm -f "$log"
  return "$status"
}

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
echo "setup: installing Python packages into .venv (first run takes a few minutes)"
pip_install --upgrade pip
# torch first and pinned: the CPU build lies on this disk; unpinned it pulls a CUDA build of several GB.
pip_install "torch==2.13.0"
pip_install -e ".[dev]"
echo "setup: done (.venv ready; gm-infra is .venv/bin/gm-infra)"
