#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: repeatable for one binary whatever else
# the machine does (wall-clock figures on these shared 2-core machines drift by up to 2x), so two
# builds compare on one number and the profile says where a request's work goes.
#
#   conformance/tools/callgrind.sh target/release/carnet [read|create] [N]
#
# Loads 1,000 Patients into a fresh SQLite database with the binary itself (`carnet bench`), stops
# it, serves the same database again under callgrind (trail on, validation in warn mode, an
# administrator's token), sends 50 requests to warm up, waits 5 s, then counts N (default 200) sent one after
# the other on one keep-alive connection: reads by id, or creates of a Patient. Prints the
# instructions per request and the 25 functions with the most inclusive instructions; the
# callgrind file stays in the printed directory for callgrind_annotate. Under valgrind the token
# cache's SHA-256 runs in software (~24k instructions per request that natively use SHA-NI).
# Needs valgrind, curl, python3.
set -euo pipefail
BIN=$(realpath "${1:?binary}")
KIND=${2:-read}
N=${3:-200}
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
DIR=$(mktemp -d)
PORT=${PORT:-18390}
URL="http://127.0.0.1:$PORT/fhir"
serve() {
  (cd "$DIR" && exec "$@" serve --listen "127.0.0.1:$PORT" --database "sqlite://$DIR/carnet.db" \
    --dev-keys "$DIR/keys" --validation warn >>"$DIR/log" 2>&1) &
  PID=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "$URL/metadata" && return; sleep 0.5; done
  echo "the server did not start; see $DIR/log" >&2; exit 1
}
serve "$BIN"
TOKEN=$("$BIN" token --dev-keys "$DIR/keys" --admin)
"$BIN" bench --base-url "$URL" --token "$TOKEN" --workloads read --duration 1 --population 1000 \
  >"$DIR/load.txt" 2>&1
kill "$PID"; wait "$PID" 2>/dev/null || true
serve valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$DIR/callgrind.out" "$BIN"
python3 - "$URL" "$TOKEN" "$KIND" "$N" "$PID" <<'PY'
import http.client, json, subprocess, sys, time, urllib.parse
url, token, kind, n, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlparse(url)
c = http.client.HTTPConnection(u.hostname, u.port)
h = {"Authorization": "Bearer " + token, "Accept": "application/fhir+json",
     "Content-Type": "application/fhir+json"}
c.request("GET", u.path + "/Patient?_count=1000&_elements=id", headers=h)
ids = [e["resource"]["id"] for e in json.loads(c.getresponse().read()).get("entry", [])]
def run(count, start):
    for k in range(start, start + count):
        if kind == "read":
            c.request("GET", f"{u.path}/Patient/{ids[k % len(ids)]}", headers=h)
        else:
            ins = "2%02d%02d75%06d00" % (k % 100, k % 12 + 1, k % 1000000)
            body = json.dumps({"resourceType": "Patient", "identifier": [{"use": "official",
                "system": "urn:oid:1.2.250.1.213.1.4.10", "value": ins}], "active": True,
                "name": [{"use": "official", "family": "MARTIN", "given": ["Camille"]}],
                "gender": "female", "birthDate": "1962-03-04"})
            c.request("POST", u.path + "/Patient", body, h)
        r = c.getresponse(); r.read()
        if r.status >= 300:
            sys.exit(f"{kind}: HTTP {r.status}")
run(50, 500000)
time.sleep(5)  # let the start's background work (trail moves, statistics, checkpoints) finish
subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
run(n, 600000)
subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
PY
sleep 1
kill "$PID"; wait "$PID" 2>/dev/null || true
OUTFILE=$(ls -S "$DIR"/callgrind.out* | head -1)
TOTAL=$(callgrind_annotate "$OUTFILE" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$KIND: $N requests, $TOTAL instructions, $((TOTAL / N)) per request ($OUTFILE)"
callgrind_annotate --inclusive=yes "$OUTFILE" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | grep -v "'2" \
  | grep -E 'carnet::|sqlite3_step|hyper::proto' | head -25 \
  | sed -E 's|/root/.cargo/registry/src/[^/]+/||; s| \[[^]]*\]$||' | cut -c1-150
