#!/usr/bin/env bash
# Side by side with wrk, the way the performance issue measures: each server on a fresh SQLite
# database on this machine, 1,000 Patients (and 5,000 DocumentReferences) loaded through its API by
# `carnet bench`, then `wrk -t1 -c16` on read by id, `Patient?identifier=system|value` (one match)
# and create Patient, one server after the other, ROUNDS times in turn (figures drift on a shared
# machine, so only a run that alternates compares). Prints one line per server and workload and
# writes them as JSON lines to $OUT (default side-by-side.jsonl); at the end, a summary of this run:
# per workload and server the mean req/s over the rounds, the worst p99, and each carnet's ratio of
# means to the first server that is not a carnet.
#
#   conformance/tools/side-by-side.sh carnet=target/release/carnet helios=$(command -v hfs) \
#       carnet-no-audit=target/release/carnet
#
# A name containing "carnet" starts `carnet serve` with an administrator's token, the trail on and
# validation in warn mode (every profile evaluated); "no-audit" in the name adds --no-audit. Any
# other name is started as Helios HFS (`--port --database-url`, base /, no auth).
# Needs wrk, curl, python3; DURATION (s, default 8), ROUNDS (default 2), CONNECTIONS (default 16).
set -euo pipefail
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
OUT=${OUT:-side-by-side.jsonl}
WORKLOADS=${WORKLOADS:-read search create}
[ $# -gt 0 ] || { sed -n '2,15p' "$0"; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
LOADER=""
for spec in "$@"; do
  case "${spec%%=*}" in *carnet*) LOADER="${spec#*=}";; esac
done
[ -n "$LOADER" ] || { echo "one carnet binary is needed to load the population" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/read.lua" <<'EOF'
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
if os.getenv("TOKEN") ~= "" then wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN") end
wrk.headers["Accept"] = "application/fhir+json"
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", os.getenv("BASE") .. "Patient/" .. ids[(i % #ids) + 1])
end
EOF
cat >"$WORK/search.lua" <<'EOF'
local ins = {}
for line in io.lines(os.getenv("INS")) do ins[#ins + 1] = line end
if os.getenv("TOKEN") ~= "" then wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN") end
wrk.headers["Accept"] = "application/fhir+json"
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", os.getenv("BASE") .. "Patient?identifier=urn:oid:1.2.250.1.213.1.4.10%7C" .. ins[(i % #ins) + 1])
end
EOF
cat >"$WORK/create.lua" <<'EOF'
if os.getenv("TOKEN") ~= "" then wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN") end
wrk.headers["Accept"] = "application/fhir+json"
wrk.headers["Content-Type"] = "application/fhir+json"
local n = 0
request = function()
  n = n + 1
  local ins = string.format("2%02d%02d75%06d00", n % 100, (n % 12) + 1, n % 1000000)
  local body = '{"resourceType":"Patient","identifier":[{"use":"official","system":"urn:oid:1.2.250.1.213.1.4.10","value":"' .. ins .. '"}],"active":true,"name":[{"use":"official","family":"MARTIN","given":["Camille"]}],"gender":"female","birthDate":"1962-03-04","generalPractitioner":[{"identifier":{"system":"urn:oid:1.2.250.1.71.4.2.1","value":"810000000099"}}]}'
  return wrk.format("POST", os.getenv("BASE") .. "Patient", nil, body)
end
EOF

port=18300
run_one() {
  local name=$1 bin=$2 dir pid base token="" url
  port=$((port + 1))
  dir=$(mktemp -d "$WORK/run.XXXX")
  case "$name" in
    *carnet*)
      local extra=()
      case "$name" in *no-audit*) extra=(--no-audit);; esac
      (cd "$dir" && exec "$bin" serve --listen "127.0.0.1:$port" --database "sqlite://$dir/carnet.db" \
        --dev-keys "$dir/keys" --validation warn "${extra[@]}" >"$dir/log" 2>&1) &
      pid=$!
      base=/fhir/
      ;;
    *)
      (cd "$dir" && exec "$bin" --port "$port" --database-url "$dir/hfs.db" --log-level error >"$dir/log" 2>&1) &
      pid=$!
      base=/
      ;;
  esac
  url="http://127.0.0.1:$port$base"
  for _ in $(seq 1 100); do curl -s -o /dev/null "${url}metadata" && break; sleep 0.2; done
  case "$name" in *carnet*) token=$("$bin" token --dev-keys "$dir/keys" --admin);; esac
  "$LOADER" bench --base-url "${url%/}" ${token:+--token "$token"} --workloads read --duration 1 \
    --population 1000 >"$dir/load.txt" 2>&1
  curl -s ${token:+-H "Authorization: Bearer $token"} "${url}Patient?_count=1000" | python3 -c '
import json, sys
b = json.load(sys.stdin)
ids, ins = [], []
for e in b.get("entry", []):
    r = e["resource"]
    ids.append(r["id"])
    ins += [i["value"] for i in r.get("identifier", []) if i.get("system") == "urn:oid:1.2.250.1.213.1.4.10"]
open(sys.argv[1], "w").write("\n".join(ids))
open(sys.argv[2], "w").write("\n".join(ins))
' "$dir/ids" "$dir/ins"
  for w in $WORKLOADS; do
    local c0 c1 out
    c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(IDS="$dir/ids" INS="$dir/ins" TOKEN="$token" BASE="$base" \
      wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/$w.lua" "http://127.0.0.1:$port")
    c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    python3 - "$name" "$w" "$c0" "$c1" "$OUT" <<PY
import json, re, sys
name, w, c0, c1, out = sys.argv[1:]
text = """$out"""
def ms(v):
    n, u = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[u]
lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
reqs = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errs = re.search(r"Socket errors: (.*)", text)
row = {"server": name, "workload": w, "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
       "p50_ms": ms(lat["50"]), "p90_ms": ms(lat["90"]), "p99_ms": ms(lat["99"]),
       "non_2xx": int(bad.group(1)) if bad else 0, "socket_errors": errs.group(1) if errs else "",
       "server_cpu_us_per_request": round((float(c1) - float(c0)) * 10000 / max(reqs, 1), 1)}
print(f"{name:<18} {w:<7} {row['req_per_s']:>9.0f} req/s  p50 {row['p50_ms']:6.2f}  p90 {row['p90_ms']:6.2f}  "
      f"p99 {row['p99_ms']:6.2f} ms  non-2xx {row['non_2xx']}  cpu {row['server_cpu_us_per_request']} us/req")
open(out, "a").write(json.dumps(row) + "\n")
PY
  done
  echo "$name rss $(awk '/VmRSS/{print $2}' "/proc/$pid/status") kB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

START=$( [ -f "$OUT" ] && wc -l <"$OUT" || echo 0)
echo "# $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t1 -c$CONNECTIONS -d${DURATION}s"
for _ in $(seq 1 "$ROUNDS"); do
  for spec in "$@"; do
    run_one "${spec%%=*}" "${spec#*=}"
  done
done

python3 - "$OUT" "$START" "$@" <<'PY'
import json, sys
out, start, specs = sys.argv[1], int(sys.argv[2]), [s.split("=", 1)[0] for s in sys.argv[3:]]
rows = [json.loads(l) for l in open(out).read().splitlines()[start:] if l.strip()]
peer = next((n for n in specs if "carnet" not in n), None)
print("# summary: workload, server, mean req/s over the rounds, worst p99" + (f", ratio to {peer}" if peer else ""))
for w in dict.fromkeys(r["workload"] for r in rows):
    means = {}
    for n in specs:
        mine = [r for r in rows if r["server"] == n and r["workload"] == w]
        if mine:
            means[n] = (sum(r["req_per_s"] for r in mine) / len(mine), max(r["p99_ms"] for r in mine))
    for n, (mean, p99) in means.items():
        ratio = f"  {mean / means[peer][0]:.2f}x" if peer in means and n != peer else ""
        print(f"{w:<7} {n:<18} {mean:>9.0f} req/s  worst p99 {p99:7.2f} ms{ratio}")
PY
