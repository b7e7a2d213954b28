#!/usr/bin/env python3
"""Real-client scenario against a live FHIR R4 server with two Python libraries: SMART on FHIR's `fhirclient`
(strict models) and `fhirpy`.

    python_scenario.py BASE_URL        (CARNET_TOKEN, if set, is sent as `Authorization: Bearer …`)

Each library, on its own: create a Patient, read it, update it (versionId 1 → 2), search it by identifier and by
family name, page through 7 Patients with _count=3 following `next` links (≥3 pages, no duplicate, the full
set), post a transaction (Patient + Observation with a urn:uuid reference) and check the reference was
rewritten, then delete everything and check the Patient is gone. Every response is also checked at the HTTP
level (status, Content-Type, Location, ETag). One summary line per library; exit 1 on any failure, with the
library, the step and the last HTTP exchange.
"""
import functools
import itertools
import os
import secrets
import sys
import traceback
import uuid
from importlib import metadata

INS_TEST_OID = "urn:oid:1.2.250.1.213.1.4.10"
RUN_SYSTEM = "urn:carnet:conformance:clients"  # a plain, non-INS identifier carrying the run's marker
FHIR_JSON = "application/fhir+json"
TIMEOUT = 30  # seconds per request
MAX_PAGES = 10  # 7 resources at _count=3 is 3 pages: more means the next links go round


class ScenarioFailure(Exception):
    pass


class Recorder:
    """A requests response hook shared by both libraries: keeps the exchanges and checks what every FHIR
    response must have, whatever the library does with it."""

    def __init__(self):
        self.exchanges = []
        self.protocol_errors = []

    def hook(self, response, *args, **kwargs):
        req = response.request
        body = response.content or b""
        ex = {
            "method": req.method,
            "url": req.url,
            "request_headers": {k: v for k, v in req.headers.items() if k.lower() != "authorization"},
            "request_body": (req.body.decode() if isinstance(req.body, bytes) else req.body or "")[:600],
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": body[:800].decode("utf-8", "replace"),
        }
        self.exchanges.append(ex)
        ctype = response.headers.get("Content-Type", "")
        if body and not ctype.lower().startswith(FHIR_JSON):
            self.protocol_errors.append(
                f"{req.method} {req.url} → {response.status_code} with Content-Type {ctype!r} (Accept was "
                f"{req.headers.get('Accept')!r}; a FHIR JSON body must be {FHIR_JSON})"
            )
        return response

    def last(self, method=None, url_part=None):
        for ex in reversed(self.exchanges):
            if (method is None or ex["method"] == method) and (url_part is None or url_part in ex["url"]):
                return ex
        return None

    def describe_last(self):
        ex = self.last()
        if ex is None:
            return "  (no HTTP exchange recorded)"
        return (
            f"  last exchange: {ex['method']} {ex['url']}\n"
            f"    request headers: {ex['request_headers']}\n"
            f"    request body: {ex['request_body'][:300]}\n"
            f"  → {ex['status']} {ex['headers']}\n"
            f"    body: {ex['body']}"
        )


class Scenario:
    def __init__(self, library, recorder):
        self.library = library
        self.recorder = recorder
        self.step = "setup"
        self.checks = 0

    def at(self, step):
        self.check_protocol()  # a defect seen during the step that ends is reported under that step's name
        self.step = step

    def check(self, what, cond, detail=""):
        self.checks += 1
        if not cond:
            raise ScenarioFailure(f"{what}{': ' + detail if detail else ''}")

    def equal(self, what, got, want):
        self.check(what, got == want, f"got {got!r}, want {want!r}")

    def check_protocol(self):
        if self.recorder.protocol_errors:
            errs = self.recorder.protocol_errors[:]
            self.recorder.protocol_errors.clear()
            raise ScenarioFailure("HTTP-level defect: " + "; ".join(errs))

    def response_header(self, ex, name):
        for k, v in (ex or {}).get("headers", {}).items():
            if k.lower() == name.lower():
                return v
        return None


# ---------------------------------------------------------------------------------------------------------------
# Test data: fictitious people, INS test OID with a NIR whose key is valid.


def make_nir():
    sex = secrets.choice("12")
    yy = f"{secrets.randbelow(100):02d}"
    mm = f"{secrets.randbelow(12) + 1:02d}"
    dept = f"{secrets.choice([d for d in range(1, 96) if d != 20]):02d}"
    commune = f"{secrets.randbelow(990) + 1:03d}"
    order = f"{secrets.randbelow(999) + 1:03d}"
    first13 = sex + yy + mm + dept + commune + order
    key = 97 - (int(first13) % 97)
    return first13 + f"{key:02d}"


def letters(hexstr):
    """A family name can't hold digits nicely: map the marker's hex digits onto letters."""
    return "".join("abcdefghijklmnop"[int(c, 16)] for c in hexstr)


def patient_body(nir, marker, family, given="Éloïse", gender="female", birth="1985-04-12"):
    return {
        "resourceType": "Patient",
        # An official INS may only be conveyed for a qualified identity (DMP rule): identity status VALI.
        "extension": [
            {
                "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
                "extension": [
                    {
                        "url": "identityStatus",
                        "valueCoding": {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445", "code": "VALI"},
                    },
                    {"url": "validationDate", "valueDate": "2025-03-02"},
                    {
                        "url": "validationMode",
                        "valueCoding": {
                            "system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity",
                            "code": "CN",
                        },
                    },
                ],
            }
        ],
        "identifier": [
            {
                "use": "official",
                "type": {
                    "coding": [
                        {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "INS-NIR-TEST"}
                    ]
                },
                "system": INS_TEST_OID,
                "value": nir,
            },
            {"system": RUN_SYSTEM, "value": marker},
        ],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": gender,
        "birthDate": birth,
    }


def transaction_body(marker, family):
    p_url, o_url = f"urn:uuid:{uuid.uuid4()}", f"urn:uuid:{uuid.uuid4()}"
    return p_url, {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": p_url,
                "resource": patient_body(make_nir(), marker + "-tx", family, given="Dominique", gender="male"),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": o_url,
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}]},
                    "subject": {"reference": p_url},
                    "valueQuantity": {"value": 72.5, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
                },
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    }


class RunData:
    def __init__(self):
        self.marker = uuid.uuid4().hex
        tag = letters(self.marker[:10])
        self.nir = make_nir()
        self.family = "Martinval" + tag
        self.family2 = "Beaulieuval" + tag
        self.page_family = "Pageval" + tag
        self.tx_family = "Transval" + tag


def parse_location(loc, rtype):
    """`…/Type/id/_history/n` or `Type/id[/_history/n]` → id."""
    parts = loc.rstrip("/").split("/")
    if rtype not in parts:
        return None
    i = len(parts) - 1 - parts[::-1].index(rtype)
    return parts[i + 1] if i + 1 < len(parts) else None


# ---------------------------------------------------------------------------------------------------------------
# fhirclient


def run_fhirclient(base, token, s):
    import requests
    from fhirclient import client as fc
    from fhirclient.models.bundle import Bundle
    from fhirclient.models.observation import Observation
    from fhirclient.models.patient import Patient
    from fhirclient.server import FHIRNotFoundException

    d = RunData()
    smart = fc.FHIRClient(settings={"app_id": "carnet-conformance", "api_base": base})
    srv = smart.server
    srv.session.hooks["response"].append(s.recorder.hook)
    srv.session.request = functools.partial(srv.session.request, timeout=TIMEOUT)
    if token:
        srv.session.headers["Authorization"] = f"Bearer {token}"

    s.at("metadata (CapabilityStatement through the strict model)")
    smart.prepare()
    cs = srv.capabilityStatement
    s.equal("CapabilityStatement.fhirVersion", cs.fhirVersion, "4.0.1")

    s.at("create")
    ret = Patient(patient_body(d.nir, d.marker, d.family)).create(srv)
    ex = s.recorder.last("POST")
    s.equal("create status", ex["status"], 201)
    s.check("create returned a body", ret is not None, "empty body: the library cannot learn the id")
    created = Patient(ret)  # strict
    pid = created.id
    s.check("created id", bool(pid))
    s.equal("created meta.versionId", created.meta and created.meta.versionId, "1")
    loc = s.response_header(ex, "Location") or ""
    s.equal("Location names the new Patient", parse_location(loc, "Patient"), pid)
    s.equal("ETag on create", s.response_header(ex, "ETag"), 'W/"1"')

    s.at("read")
    p = Patient.read(pid, srv)
    s.equal("read id", p.id, pid)
    s.equal("read family", p.name[0].family, d.family)
    s.equal("read given (non-ASCII round trip)", p.name[0].given, ["Éloïse"])
    s.equal("read versionId", p.meta.versionId, "1")
    s.equal("read INS value", [i.value for i in p.identifier if i.system == INS_TEST_OID], [d.nir])

    s.at("update (name change)")
    p.name[0].family = d.family2
    ret = p.update(srv)
    ex = s.recorder.last("PUT")
    s.equal("update status", ex["status"], 200)
    if ret is not None:
        s.equal("update response versionId", Patient(ret).meta.versionId, "2")
    s.equal("ETag on update", s.response_header(ex, "ETag"), 'W/"2"')
    p2 = Patient.read(pid, srv)
    s.equal("versionId after update", p2.meta.versionId, "2")
    s.equal("family after update", p2.name[0].family, d.family2)

    s.at("search by identifier")
    found = list(Patient.where({"identifier": f"{INS_TEST_OID}|{d.nir}"}).perform_resources_iter(srv))
    s.equal("search by INS identifier", [r.id for r in found], [pid])
    found = list(Patient.where({"identifier": f"{RUN_SYSTEM}|{d.marker}"}).perform_resources_iter(srv))
    s.equal("search by plain identifier", [r.id for r in found], [pid])

    s.at("search by family name")
    found = list(Patient.where({"family": d.family2}).perform_resources_iter(srv))
    s.equal("search by new family", [r.id for r in found], [pid])
    found = list(Patient.where({"family": d.family}).perform_resources_iter(srv))
    s.equal("search by old family (no longer current)", [r.id for r in found], [])

    s.at("paging (_count=3 over 7 Patients)")
    page_ids = set()
    for i in range(7):
        body = Patient(patient_body(make_nir(), f"{d.marker}-page{i}", d.page_family, given=f"Page{i}")).create(srv)
        page_ids.add(Patient(body).id)
    s.equal("7 distinct paging Patients", len(page_ids), 7)
    pages = Patient.where({"family": d.page_family, "_count": "3"}).perform_iter(srv)
    bundles = list(itertools.islice(pages, MAX_PAGES + 1))
    s.check("bounded paging", len(bundles) <= MAX_PAGES, f"more than {MAX_PAGES} pages: the next links go round")
    seen = []
    for b in bundles:
        s.equal("page Bundle.type", b.type, "searchset")
        s.check("page size ≤ 3", len(b.entry or []) <= 3, f"{len(b.entry or [])} entries")
        if b.total is not None:
            s.equal("Bundle.total", b.total, 7)
        seen += [e.resource.id for e in (b.entry or []) if e.search is None or e.search.mode == "match"]
    s.check("≥3 pages", len(bundles) >= 3, f"{len(bundles)} page(s)")
    s.check("no duplicate across pages", len(seen) == len(set(seen)), f"ids seen: {seen}")
    s.equal("full set seen", set(seen), page_ids)

    s.at("transaction (Patient + Observation, urn:uuid reference)")
    _, tx = transaction_body(d.marker, d.tx_family)
    ret = Bundle(tx).create(srv)
    ex = s.recorder.last("POST")
    s.equal("transaction status", ex["status"], 200)
    s.check("transaction returned a body", ret is not None)
    resp = Bundle(ret)  # strict
    s.equal("response Bundle.type", resp.type, "transaction-response")
    s.equal("response entries", len(resp.entry or []), 2)
    statuses = [e.response.status for e in resp.entry]
    s.check("both entries 201", all(st.startswith("201") for st in statuses), f"{statuses}")
    tx_pid = parse_location(resp.entry[0].response.location or "", "Patient")
    tx_oid = parse_location(resp.entry[1].response.location or "", "Observation")
    s.check("Patient location", bool(tx_pid), resp.entry[0].response.location)
    s.check("Observation location", bool(tx_oid), resp.entry[1].response.location)
    tp = Patient.read(tx_pid, srv)
    s.equal("transaction Patient family", tp.name[0].family, d.tx_family)
    obs = Observation.read(tx_oid, srv)
    s.equal("Observation.subject rewritten", obs.subject.reference, f"Patient/{tx_pid}")

    s.at("delete")
    obs.delete()
    for rid in [pid, tx_pid, *page_ids]:
        Patient({"id": rid}).delete(srv)
    for rtype, rid in [(Patient, pid), (Observation, tx_oid)]:
        try:
            rtype.read(rid, srv)
        except FHIRNotFoundException:
            s.check("deleted → 404", True)
        except requests.HTTPError as e:
            s.equal(f"read of deleted {rtype.resource_type}/{rid}", e.response.status_code, 410)
        else:
            raise ScenarioFailure(f"{rtype.resource_type}/{rid} still readable after delete")
    found = list(Patient.where({"family": d.page_family}).perform_resources_iter(srv))
    s.equal("search after delete", found, [])
    s.check_protocol()


# ---------------------------------------------------------------------------------------------------------------
# fhirpy


def run_fhirpy(base, token, s):
    from fhirpy import SyncFHIRClient
    from fhirpy.base.exceptions import ResourceNotFound

    d = RunData()
    c = SyncFHIRClient(
        base,
        authorization=f"Bearer {token}" if token else None,
        requests_config={"hooks": {"response": [s.recorder.hook]}, "timeout": TIMEOUT},
    )

    s.at("create")
    p = c.resource("Patient", **patient_body(d.nir, d.marker, d.family))
    p.save()
    ex = s.recorder.last("POST")
    s.equal("create status", ex["status"], 201)
    pid = p.id
    s.check("created id", bool(pid))
    s.equal("created meta.versionId", p.get("meta", {}).get("versionId"), "1")
    s.equal("Location names the new Patient", parse_location(s.response_header(ex, "Location") or "", "Patient"), pid)

    s.at("read")
    r = c.reference("Patient", pid).to_resource()
    s.equal("read id", r.id, pid)
    s.equal("read family", r["name"][0]["family"], d.family)
    s.equal("read given (non-ASCII round trip)", r["name"][0]["given"], ["Éloïse"])
    s.equal("read versionId", r["meta"]["versionId"], "1")
    r2 = c.resources("Patient").search(_id=pid).get()
    s.equal("get by _id", r2.id, pid)

    s.at("update (name change)")
    r["name"][0]["family"] = d.family2
    r.save()
    ex = s.recorder.last("PUT")
    s.equal("update status", ex["status"], 200)
    s.equal("versionId in update response", r["meta"]["versionId"], "2")
    r.refresh()  # sends If-None-Match with the bare versionId; 304 or 200 are both correct
    s.equal("versionId after refresh", r["meta"]["versionId"], "2")
    again = c.reference("Patient", pid).to_resource()
    s.equal("versionId after re-read", again["meta"]["versionId"], "2")
    s.equal("family after update", again["name"][0]["family"], d.family2)

    s.at("search by identifier")
    found = c.resources("Patient").search(identifier=f"{INS_TEST_OID}|{d.nir}").fetch()
    s.equal("search by INS identifier", [x.id for x in found], [pid])
    found = c.resources("Patient").search(identifier=f"{RUN_SYSTEM}|{d.marker}").fetch()
    s.equal("search by plain identifier", [x.id for x in found], [pid])

    s.at("search by family name")
    found = c.resources("Patient").search(family=d.family2).fetch()
    s.equal("search by new family", [x.id for x in found], [pid])
    s.equal("count by new family", c.resources("Patient").search(family=d.family2).count(), 1)

    s.at("paging (_count=3 over 7 Patients)")
    page_ids = set()
    for i in range(7):
        pp = c.resource("Patient", **patient_body(make_nir(), f"{d.marker}-page{i}", d.page_family, given=f"Page{i}"))
        pp.save()
        page_ids.add(pp.id)
    s.equal("7 distinct paging Patients", len(page_ids), 7)
    before = len(s.recorder.exchanges)
    search = c.resources("Patient").search(family=d.page_family).limit(3)  # iterating follows `next`
    seen = [x.id for x in itertools.islice(search, 3 * MAX_PAGES + 1)]
    pages = [ex for ex in s.recorder.exchanges[before:] if ex["method"] == "GET"]
    s.check("≥3 pages", len(pages) >= 3, f"{len(pages)} GET(s)")
    s.check("bounded paging", len(pages) <= MAX_PAGES, f"more than {MAX_PAGES} pages: the next links go round")
    for ex in pages:
        s.equal("page status", ex["status"], 200)
    s.check("no duplicate across pages", len(seen) == len(set(seen)), f"ids seen: {seen}")
    s.equal("full set seen", set(seen), page_ids)

    s.at("transaction (Patient + Observation, urn:uuid reference)")
    _, tx = transaction_body(d.marker, d.tx_family)
    resp = c.execute("", method="post", data=tx)
    ex = s.recorder.last("POST")
    s.equal("transaction status", ex["status"], 200)
    s.equal("response Bundle.type", resp.get("type"), "transaction-response")
    entries = resp.get("entry", [])
    s.equal("response entries", len(entries), 2)
    statuses = [e["response"]["status"] for e in entries]
    s.check("both entries 201", all(st.startswith("201") for st in statuses), f"{statuses}")
    tx_pid = parse_location(entries[0]["response"].get("location", ""), "Patient")
    tx_oid = parse_location(entries[1]["response"].get("location", ""), "Observation")
    s.check("Patient location", bool(tx_pid), entries[0]["response"].get("location"))
    s.check("Observation location", bool(tx_oid), entries[1]["response"].get("location"))
    obs = c.reference("Observation", tx_oid).to_resource()
    s.equal("Observation.subject rewritten", obs["subject"]["reference"], f"Patient/{tx_pid}")
    subj = obs["subject"].to_resource() if hasattr(obs["subject"], "to_resource") else None
    if subj is not None:
        s.equal("subject resolves", subj.id, tx_pid)
    obs_via_search = c.resources("Observation").search(subject=f"Patient/{tx_pid}").fetch()
    s.equal("Observation found by subject", [x.id for x in obs_via_search], [tx_oid])

    s.at("delete")
    obs.delete()
    again.delete()
    c.delete("Patient", tx_pid)
    for rid in page_ids:
        c.delete("Patient", rid)
    for rtype, rid in [("Patient", pid), ("Observation", tx_oid)]:
        try:
            c.reference(rtype, rid).to_resource()
        except ResourceNotFound:
            s.check("deleted → 404/410", s.recorder.last("GET")["status"] in (404, 410))
        else:
            raise ScenarioFailure(f"{rtype}/{rid} still readable after delete")
    s.equal("search after delete", c.resources("Patient").search(family=d.page_family).fetch(), [])
    s.check_protocol()


# ---------------------------------------------------------------------------------------------------------------


def main():
    if len(sys.argv) != 2:
        print("usage: python_scenario.py BASE_URL", file=sys.stderr)
        return 2
    base = sys.argv[1].rstrip("/")
    token = os.environ.get("CARNET_TOKEN") or None
    failed = False
    for lib, dist, fn in [("fhirclient", "fhirclient", run_fhirclient), ("fhirpy", "fhirpy", run_fhirpy)]:
        s = Scenario(lib, Recorder())
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "?"
        try:
            fn(base, token, s)
        except Exception as e:  # noqa: BLE001 — any exception is a failure of this library's scenario
            failed = True
            kind = "" if isinstance(e, ScenarioFailure) else f"{type(e).__name__}: "
            print(f"python {lib} {version}: FAIL at step '{s.step}': {kind}{e}")
            print(s.recorder.describe_last(), file=sys.stderr)
            if not isinstance(e, ScenarioFailure):
                traceback.print_exc(file=sys.stderr)
        else:
            print(f"python {lib} {version}: OK ({s.checks} checks, {len(s.recorder.exchanges)} requests)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
