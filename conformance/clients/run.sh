#!/usr/bin/env bash
# Real-client conformance: runs the scenarios of python_scenario.py (fhirclient, fhirpy) and node_scenario.js
# (fhir-kit-client) against a live server.
#
#   conformance/clients/run.sh BASE_URL          e.g. http://127.0.0.1:8080/fhir
#
# The clients are installed on first use into $CARNET_CLIENTS_CACHE (default $HOME/.cache/carnet-clients),
# never into the repository: a virtualenv from requirements.txt and an `npm ci` of package.json/package-lock.json.
# A later run skips the install while the cache's stamp matches those files. CARNET_TOKEN, if set, is sent by
# every client as `Authorization: Bearer …`. One summary line per client, then `clients: N passed, N failed`;
# the exit status is non-zero if any client failed.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BASE_URL" >&2
  exit 2
fi
BASE="${1%/}"
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${CARNET_CLIENTS_CACHE:-$HOME/.cache/carnet-clients}"
mkdir -p "$CACHE"

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Python: one virtualenv, rebuilt whenever requirements.txt or the interpreter changes.
py_stamp="$(stamp_of "$HERE/requirements.txt") $(python3 -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$CACHE/venv.stamp" 2>/dev/null || true)" != "$py_stamp" ] || [ ! -x "$CACHE/venv/bin/python" ]; then
  echo "installing the Python clients into $CACHE/venv"
  rm -rf "$CACHE/venv" "$CACHE/venv.stamp"
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements.txt"
  echo "$py_stamp" >"$CACHE/venv.stamp"
fi

# Node: package.json and its lock copied into the cache, `npm ci` there.
node_stamp="$(stamp_of "$HERE/package.json" "$HERE/package-lock.json") $(node --version)"
if [ "$(cat "$CACHE/node.stamp" 2>/dev/null || true)" != "$node_stamp" ] ||
  [ ! -f "$CACHE/node/node_modules/fhir-kit-client/package.json" ]; then
  echo "installing the Node client into $CACHE/node"
  rm -rf "$CACHE/node" "$CACHE/node.stamp"
  mkdir -p "$CACHE/node"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$CACHE/node/"
  npm ci --prefix "$CACHE/node" --silent --no-audit --no-fund
  echo "$node_stamp" >"$CACHE/node.stamp"
fi

auth=()
if [ -n "${CARNET_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $CARNET_TOKEN"); fi
if ! curl -sf -o /dev/null --max-time 30 "${auth[@]}" "$BASE/metadata"; then
  echo "FATAL: no FHIR server answers at $BASE/metadata" >&2
  exit 1
fi

# CARNET_TOKEN, when the caller exported it, reaches both scenarios through the environment.
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
# Each request has its own time-out in the scenarios; `timeout` bounds a scenario as a whole.
timeout 300 "$CACHE/venv/bin/python" "$HERE/python_scenario.py" "$BASE" | tee -a "$out" || status=1
CARNET_CLIENTS_NODE_MODULES="$CACHE/node/node_modules" timeout 300 node "$HERE/node_scenario.js" "$BASE" |
  tee -a "$out" || status=1

passed=$(grep -c ': OK (' "$out" || true)
failed=$(grep -c ': FAIL' "$out" || true)
# 3 clients are expected: a scenario that died before its summary line counts as failed.
if [ "$passed" -ne 3 ] && [ "$((passed + failed))" -lt 3 ]; then failed=$((3 - passed)); fi
echo "clients: $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
