#!/usr/bin/env python3
"""Prints `--variable <key>Token=<token>` arguments, one per line, for every persona of
fixtures/demo/personas/personas.json, minted with `carnet token --dev-keys KEYS <token…>`.

Usage: persona-variables.py CARNET_BIN KEYS_DIR  (used by .ci/run for conformance/scripts/consent)
"""

import json
import os
import subprocess
import sys

carnet, keys = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(root, "fixtures", "demo", "personas", "personas.json")) as f:
    personas = json.load(f)
for p in personas:
    token = subprocess.run([carnet, "token", "--dev-keys", keys, *p["token"]], check=True,
                           capture_output=True, text=True).stdout.strip()
    print("--variable")
    print(f"{p['key']}Token={token}")
