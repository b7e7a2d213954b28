#!/usr/bin/env python3
"""Writes conformance/scripts/consent/<key>.json: one TestScript per demo persona.

Run from the project root: `python3 conformance/tools/gen_persona_scripts.py` (deterministic).
The personas come from fixtures/demo/personas/personas.json; what each one sees is the table
"What each persona sees" of fixtures/demo/README.md (docs/access-rules.md applied to the demo).
Each script reads its token from the variable `<key>Token`; .ci/run mints one per persona with
`carnet token --dev-keys DIR <token…>` and passes it with --variable.

The scripts only read, or attempt writes that must be refused, so they leave the demo as it was
and can run in any order with the other scripts (they check the demo documents by id, not totals).
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "conformance", "scripts", "consent")
OPS = "http://terminology.hl7.org/CodeSystem/testscript-operation-codes"

DOCS = {
    "camille-test": ["cr-consult-1", "lettre-liaison-ch", "cr-bio-serologies", "cr-imagerie-echo",
                     "vaccination-camille", "bilan-medicamenteux", "vsm-camille", "synthese-psy"],
    "marcel-aine": ["directives-marcel", "vaccination-marcel", "remb-marcel"],
    "leo-mineur": ["vaccination-leo", "cr-consult-leo-confidentiel"],
    "jeanne-fermee": ["cr-bio-jeanne"],
    "ange-corse-demo": ["vsm-ange"],
}
# INVISIBLE_PATIENT on cr-imagerie-echo (dated 2026-11-19) lifts one calendar month later.
LIFTED = "2026-12-19"
DATED = {("camille", "cr-imagerie-echo")}


def minus(patient, *hidden):
    return [d for d in DOCS[patient] if d not in hidden]


ALL = {p: list(d) for p, d in DOCS.items()}
CAMILLE_7 = minus("camille-test", "cr-bio-serologies")
CAMILLE_6 = minus("camille-test", "cr-bio-serologies", "synthese-psy")
EMERGENCY = {"marcel-aine": ALL["marcel-aine"], "leo-mineur": ALL["leo-mineur"]}

# persona key -> (what it is, {patient: visible documents}); a patient left out: nothing visible.
SEES = {
    "drMartin": ("the médecin traitant: everything of his patients, masked and confidential included, "
                 "except the closed record of Jeanne",
                 {**ALL, "jeanne-fermee": []}),
    "drBernard": ("the authorised cardiologist, author of the masked report: all of Camille",
                  {"camille-test": ALL["camille-test"]}),
    "drLefevre": ("the psychiatrist, in through the CH care-team permit: Camille but the masked report",
                  {"camille-test": CAMILLE_7}),
    "phMoreau": ("the authorised pharmacist (the matrix allows pharmacists every type): Camille but the "
                 "masked report", {"camille-test": CAMILLE_7}),
    "idePetit": ("the private-practice nurse, authorised by Camille and Marcel: no psychiatric synthesis "
                 "(matrix), no masked report", {"camille-test": CAMILLE_6, "marcel-aine": ALL["marcel-aine"]}),
    "ideRoux": ("the authorised hospital nurse: no psychiatric synthesis, no masked report",
                {"camille-test": CAMILLE_6}),
    "drGarnier": ("the dentist, authorised until 2027-08-31: no psychiatric synthesis, no masked report",
                  {"camille-test": CAMILLE_6}),
    "drSamuRegulation": ("the SAMU regulating doctor: emergency access to every open record without "
                         "opposition; the masked report stays hidden; Jeanne closed, Ange opposed",
                         {"camille-test": CAMILLE_7, **EMERGENCY}),
    "drSamuBrisDeGlace": ("the same doctor in break-glass mode: the same as regulation",
                          {"camille-test": CAMILLE_7, **EMERGENCY}),
    "drDurand": ("blocked by Camille, in break-glass mode with the CH's care-team permit: nothing of "
                 "Camille; emergency access elsewhere", dict(EMERGENCY)),
    "camille": ("Camille, the patient: her record, the masked report included, but cr-imagerie-echo "
                f"(INVISIBLE_PATIENT) until {LIFTED}", {"camille-test": ALL["camille-test"]}),
    "marcel": ("Marcel, the patient: his record", {"marcel-aine": ALL["marcel-aine"]}),
    "jeanne": ("Jeanne, whose DMP is closed: she still reads it", {"jeanne-fermee": ALL["jeanne-fermee"]}),
    "ange": ("Ange, opposed to emergency access: his record", {"ange-corse-demo": ALL["ange-corse-demo"]}),
    "representativeLeo": ("Camille as Léo's legal representative: not the INVISIBLE_REPRESENTANTS_LEGAUX "
                          "consultation", {"leo-mineur": ["vaccination-leo"]}),
    "admin": ("the operator: everything (traced)", ALL),
}

PATIENT_OF = {"camille": "camille-test", "marcel": "marcel-aine", "jeanne": "jeanne-fermee",
              "ange": "ange-corse-demo"}
PROFESSIONALS = [k for k in SEES if k.startswith(("dr", "ph", "ide"))]


def op(code, description, url, token, accept="json", **extra):
    o = {"type": {"system": OPS, "code": code}, "description": description, "accept": accept,
         "encodeRequestUrl": False, "url": url,
         "requestHeader": [{"field": "Authorization", "value": "Bearer ${%s}" % token}]}
    o.update(extra)
    return {"operation": o}


def status(description, code):
    return {"assert": {"description": f"{description}: HTTP {code}", "direction": "response",
                       "responseCode": str(code), "warningOnly": False}}


def expr(description, expression):
    return {"assert": {"description": description, "direction": "response", "expression": expression,
                       "warningOnly": False}}


def ids(values):
    return " | ".join(f"'{v}'" for v in values)


def patient_test(key, token, patient, visible):
    hidden = [d for d in DOCS[patient] if d not in visible]
    actions = [op("search", f"search {patient}'s documents",
                  f"/DocumentReference?patient=Patient/{patient}&_count=100", token),
               status("the search", 200)]
    dated = [d for d in visible if (key, d) in DATED]
    steady = [d for d in visible if (key, d) not in DATED]
    if steady:
        actions.append(expr(f"finds {', '.join(steady)}",
                            f"({ids(steady)}).subsetOf(Bundle.entry.resource.id)"))
    if hidden:
        actions.append(expr(f"does not find {', '.join(hidden)}",
                            f"Bundle.entry.resource.id.intersect({ids(hidden)}).empty()"))
    for d in dated:
        actions.append(expr(f"finds {d} from {LIFTED} on only",
                            f"Bundle.entry.resource.where(id = '{d}').exists() = (today() >= @{LIFTED})"))
    for d in DOCS[patient]:
        actions.append(op("read", f"read {d}", f"/DocumentReference/{d}", token))
        if (key, d) in DATED:
            actions.append(expr(f"{d} exists from {LIFTED} on only",
                                f"DocumentReference.exists() = (today() >= @{LIFTED})"))
        else:
            actions.append(status(f"read {d}", 200 if d in visible else 404))
    # The Binary with the document's id follows the document.
    for d in ([steady[0]] if steady else []) + hidden[:1]:
        actions.append(op("read", f"read Binary/{d}", f"/Binary/{d}", token))
        actions.append(status(f"read Binary/{d}", 200 if d in visible else 404))
    what = "closed to this persona" if not visible else f"{len(visible)} of {len(DOCS[patient])} visible"
    return {"name": f"documents-of-{patient}",
            "description": f"{patient}'s documents ({what}): search, read each, and the Binary follows "
                           "its document (hidden = non-existent, 404).",
            "action": actions}


def trail_test(key, token):
    if key in PATIENT_OF:
        own = PATIENT_OF[key]
        return {"name": "trail", "description": "A patient reads the trail of her own record.",
                "action": [op("search", "search the trail", f"/AuditEvent?patient=Patient/{own}&_summary=count",
                              token), status("the trail", 200), expr("earlier accesses are traced", "Bundle.total > 0")]}
    if key == "admin":
        return {"name": "trail", "description": "The operator reads the trail.",
                "action": [op("search", "search the trail", "/AuditEvent?patient=Patient/camille-test&_summary=count",
                              token), status("the trail", 200), expr("accesses are traced", "Bundle.total > 0")]}
    if key == "representativeLeo":
        return None
    return {"name": "trail", "description": "Professionals do not read AuditEvents (the trail is the patient's).",
            "action": [op("search", "search Camille's trail", "/AuditEvent?patient=Patient/camille-test&_summary=count",
                          token), status("the search", 200), expr("no AuditEvent", "Bundle.total = 0")]}


def extra_tests(key, token):
    tests = []
    if key == "drDurand":
        tests.append({"name": "feeding-blocked",
                      "description": "A blocked professional cannot feed Camille's record, even in break-glass.",
                      "action": [op("create", "create an AllergyIntolerance for Camille", "/AllergyIntolerance",
                                    token, contentType="json", sourceId="allergy-camille"),
                                 status("the create", 403)]})
    if key == "idePetit":
        tests.append({"name": "masking-refused",
                      "description": "Only the patient, the médecin traitant or the author changes a mask.",
                      "action": [op("patch", "mask vsm-camille", "/DocumentReference/vsm-camille", token,
                                    sourceId="mask-vsm"), status("the patch", 403)]})
    if key == "camille":
        tests.append({"name": "delete-refused", "description": "Only the author deletes a document.",
                      "action": [op("delete", "delete cr-consult-1", "/DocumentReference/cr-consult-1", token),
                                 status("the delete", 403)]})
    if key in ("camille", "drMartin", "idePetit", "ideRoux"):
        consents = "Bundle.total >= 7" if key in ("camille", "drMartin") else "Bundle.total = 0"
        tests.append({"name": "consents",
                      "description": "Camille's Consents are readable by her and her médecin traitant, not by nurses.",
                      "action": [op("search", "search Camille's Consents", "/Consent?patient=Patient/camille-test",
                                    token), status("the search", 200), expr(consents, consents)]})
    if key in ("drSamuRegulation", "drSamuBrisDeGlace"):
        tests.append({"name": "emergency-notice",
                      "description": "An emergency access notifies the patient (a Communication in her record; "
                                     "read with the runner's operator token).",
                      "action": [{"operation": {"type": {"system": OPS, "code": "search"},
                                                "description": "the operator searches Camille's notices",
                                                "accept": "json", "encodeRequestUrl": False,
                                                "url": "/Communication?subject=Patient/camille-test&_summary=count"}},
                                 status("the search", 200), expr("at least one notice", "Bundle.total > 0")]})
    return tests


def fixtures(key):
    out = []
    if key == "drDurand":
        out.append({"id": "allergy-camille", "autocreate": False, "autodelete": False,
                    "resource": {"reference": "../fixtures/allergy-camille.json"}})
    if key == "idePetit":
        out.append({"id": "mask-vsm", "autocreate": False, "autodelete": False,
                    "resource": {"reference": "../fixtures/mask-vsm.json"}})
    return out


def script(persona):
    key = persona["key"]
    token = key + "Token"
    about, sees = SEES[key]
    tests = [patient_test(key, token, p, sees.get(p, [])) for p in DOCS]
    trail = trail_test(key, token)
    tests += ([trail] if trail else []) + extra_tests(key, token)
    s = {"resourceType": "TestScript", "id": f"carnet-consent-{key}",
         "url": f"https://carnet.example.org/fhir/TestScript/consent-{key}",
         "name": "CarnetConsent" + key[0].upper() + key[1:], "status": "active",
         "description": f"The DMP access rules for {persona['name']} ({persona['role']}): {about}. "
                        f"Generated by conformance/tools/gen_persona_scripts.py; the token is the variable "
                        f"{token} (carnet token --dev-keys DIR {' '.join(persona['token'])}).",
         "variable": [{"name": token, "defaultValue": "missing-token"}]}
    fx = fixtures(key)
    if fx:
        s["fixture"] = fx
    s["test"] = tests
    return s


def main():
    with open(os.path.join(ROOT, "fixtures", "demo", "personas", "personas.json")) as f:
        personas = json.load(f)
    assert sorted(p["key"] for p in personas) == sorted(SEES), "personas.json and SEES disagree"
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".json"):
            os.remove(os.path.join(OUT, name))
    for p in personas:
        with open(os.path.join(OUT, p["key"] + ".json"), "w") as f:
            json.dump(script(p), f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(f"{len(personas)} scripts in {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
