#!/usr/bin/env python3
"""Smoke test of a live Carnet server with nothing but the standard library: the demo record is there, and a
create / read / update / conditional update / history / delete round works. Exit 1 on any mismatch."""
import json
import os
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/")
FAILURES = []
CHECKS = 0


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + "/" + path, data=data, method=method)
    req.add_header("Accept", "application/fhir+json")
    if os.environ.get("CARNET_TOKEN"):
        req.add_header("Authorization", "Bearer " + os.environ["CARNET_TOKEN"])
    if data is not None:
        req.add_header("Content-Type", "application/fhir+json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req) as r:
            text = r.read()
            return r.status, dict(r.headers), json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, dict(e.headers), json.loads(text) if text else None


def expect(what, got, want):
    global CHECKS
    CHECKS += 1
    if got != want:
        FAILURES.append(f"{what}: got {got!r}, want {want!r}")


status, _, cs = call("GET", "metadata")
expect("metadata status", status, 200)
expect("fhirVersion", cs and cs.get("fhirVersion"), "4.0.1")
status, _, h = call("GET", "Patient/_history")
expect("demo patients loaded", (h or {}).get("total", 0) >= 2, True)
status, headers, p = call("POST", "Patient", {"resourceType": "Patient", "active": True})
expect("create", status, 201)
pid = p["id"]
expect("etag", headers.get("ETag") or headers.get("etag"), 'W/"1"')
status, _, got = call("GET", f"Patient/{pid}")
expect("read", (status, got and got.get("active")), (200, True))
status, _, _ = call("PUT", f"Patient/{pid}", {"resourceType": "Patient", "id": pid, "active": False},
                    {"If-Match": 'W/"1"'})
expect("update", status, 200)
status, _, _ = call("PUT", f"Patient/{pid}", {"resourceType": "Patient", "id": pid}, {"If-Match": 'W/"1"'})
expect("stale If-Match", status, 412)
status, _, h = call("GET", f"Patient/{pid}/_history")
expect("history", (status, h and h.get("total")), (200, 2))
status, _, _ = call("DELETE", f"Patient/{pid}")
expect("delete", status, 204)
status, _, oo = call("GET", f"Patient/{pid}")
expect("gone", (status, oo and oo.get("resourceType")), (410, "OperationOutcome"))

if FAILURES:
    print("smoke FAILED:\n  " + "\n  ".join(FAILURES))
    sys.exit(1)
print(f"smoke ({BASE}): {CHECKS} checks passed")
