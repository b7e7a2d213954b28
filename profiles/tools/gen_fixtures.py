#!/usr/bin/env python3
"""Writes fixtures/dmp/valid/*.json and fixtures/dmp/invalid/*.json (run from the project root) (fictitious people; INS on the
TEST and DEMO OIDs with correct NIR keys). Each invalid fixture is a valid one with one change;
tests/dmp_profiles.rs states the one issue each must give."""
import copy, json, os

P = "https://carnet.example.org/fhir/StructureDefinition/"
FRCS = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
REL = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
A07 = "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument"
A08 = "https://mos.esante.gouv.fr/NOS/TRE_A08-HL7Confidentiality/FHIR/TRE-A08-HL7Confidentiality"
A03 = "https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument"


def meta(p):
    return {"profile": [P + p]}


patient = {
    "resourceType": "Patient", "id": "camille-test", "meta": meta("dmp-patient"),
    "extension": [
        {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace", "valueAddress": {
            "extension": [{"url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code",
                           "valueCoding": {"system": "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM", "code": "75056"}}],
            "city": "Paris"}},
        {"url": REL, "extension": [
            {"url": "identityStatus", "valueCoding": {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445", "code": "VALI"}},
            {"url": "validationDate", "valueDate": "2025-03-02"},
            {"url": "validationMode", "valueCoding": {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity", "code": "CN"}}]}],
    "identifier": [
        {"use": "official", "type": {"coding": [{"system": FRCS, "code": "INS-NIR-TEST"}]},
         "system": "urn:oid:1.2.250.1.213.1.4.10", "value": "285027512345672"},
        {"use": "usual", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}]},
         "system": "urn:oid:1.2.250.1.999.1", "value": "IPP-0042"}],
    "name": [{"use": "official", "family": "TESTDMP", "given": ["Camille"]}],
    "gender": "female", "birthDate": "1985-02-14",
    "generalPractitioner": [{"reference": "Practitioner/dr-martin"}]}

practitioner = {
    "resourceType": "Practitioner", "id": "dr-martin", "meta": meta("dmp-practitioner"),
    "identifier": [
        {"use": "official", "type": {"coding": [{"system": FRCS, "code": "IDNPS"}]},
         "system": "urn:oid:1.2.250.1.71.4.2.1", "value": "899700218896"},
        {"use": "official", "type": {"coding": [{"system": FRCS, "code": "RPPS"}]},
         "system": "https://rpps.esante.gouv.fr", "value": "99700218896"}],
    "name": [{"family": "MARTIN-FICTIF", "given": ["Alix"], "prefix": ["DR"]}]}

durand = copy.deepcopy(practitioner)
durand.update({"id": "dr-durand", "name": [{"family": "DURAND-FICTIF", "given": ["Sacha"], "prefix": ["DR"]}]})
durand["identifier"][0]["value"] = "899700218904"
durand["identifier"][1]["value"] = "99700218904"

role = {
    "resourceType": "PractitionerRole", "id": "dr-martin-cabinet", "meta": meta("dmp-practitionerrole"),
    "identifier": [{"system": "https://www.ameli.fr", "value": "751234567"}],
    "practitioner": {"reference": "Practitioner/dr-martin"},
    "organization": {"reference": "Organization/ch-fictif"}}

organization = {
    "resourceType": "Organization", "id": "ch-fictif", "meta": meta("dmp-organization"),
    "identifier": [
        {"use": "official", "type": {"coding": [{"system": FRCS, "code": "IDNST"}]},
         "system": "urn:oid:1.2.250.1.71.4.2.2", "value": "1999999999"},
        {"type": {"coding": [{"system": FRCS, "code": "FINEJ"}]}, "system": "https://finess.esante.gouv.fr", "value": "999999999"},
        {"type": {"coding": [{"system": FRCS, "code": "SIRET"}]}, "system": "https://sirene.fr", "value": "99999999900017"}],
    "name": "Centre hospitalier fictif"}

related = {
    "resourceType": "RelatedPerson", "id": "parent-of-leo", "meta": meta("dmp-relatedperson"),
    "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.11", "value": "179029912304582"}],
    "patient": {"reference": "Patient/camille-test"},
    "relationship": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R216-HL7RoleCode/FHIR/TRE-R216-HL7RoleCode", "code": "MTH"}]}],
    "name": [{"family": "TESTDMP", "given": ["Dominique"]}]}

docref = {
    "resourceType": "DocumentReference", "id": "cr-consult-1", "meta": meta("dmp-documentreference"),
    "extension": [{"url": "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived", "valueBoolean": False}],
    "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.999.2.1.1"},
    "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:0c2d6a54-4d3e-4f1c-9a43-6d0e0f2b1a11"}],
    "status": "current",
    "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4", "display": "CR ou fiche de consultation ou de visite"}]},
    "category": [{"coding": [{"system": A03, "code": "10", "display": "Compte rendu"}]}],
    "subject": {"reference": "Patient/camille-test"},
    "date": "2026-11-30T10:00:00+01:00",
    "author": [{"reference": "Practitioner/dr-martin"}],
    "custodian": {"reference": "Organization/ch-fictif"},
    "securityLabel": [
        {"coding": [{"system": A08, "code": "N"}]},
        {"coding": [{"system": A07, "code": "MASQUE_PS"}]}],
    "content": [{"attachment": {"contentType": "application/pdf", "language": "fr-FR", "url": "Binary/cr-consult-1",
                                "size": 1024, "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "title": "CR de consultation"},
                 "format": {"system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode", "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient"}}],
    "context": {"period": {"start": "2026-11-30T09:30:00+01:00"},
                "facilityType": {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite", "code": "SA01"}]},
                "practiceSetting": {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_A01-CadreExercice/FHIR/TRE-A01-CadreExercice", "code": "ETABLISSEMENT"}]}}}

submission = {
    "resourceType": "List", "id": "ss-1", "meta": meta("dmp-list-submissionset"),
    "extension": [
        {"url": "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType",
         "valueCodeableConcept": {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS", "code": "04"}]}},
        {"url": "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId",
         "valueIdentifier": {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.999.3"}}],
    "identifier": [{"use": "usual", "system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.999.2.9.1"},
                   {"use": "official", "system": "urn:ietf:rfc:3986", "value": "urn:uuid:6a0e7a1e-4a7b-4c55-8d8e-2f4b7f1c3d21"}],
    "status": "current", "mode": "working",
    "code": {"coding": [{"system": "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes", "code": "submissionset"}]},
    "subject": {"reference": "Patient/camille-test"},
    "date": "2026-11-30T10:05:00+01:00",
    "source": {"reference": "PractitionerRole/dr-martin-cabinet"},
    "entry": [{"item": {"reference": "DocumentReference/cr-consult-1"}}]}

folder = {
    "resourceType": "List", "id": "folder-suivi-grossesse", "meta": meta("dmp-list-folder"),
    "extension": [submission["extension"][0]],
    "identifier": [{"use": "usual", "system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.999.2.9.2"}],
    "status": "current", "mode": "working", "title": "Suivi de grossesse",
    "code": {"coding": [{"system": "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes", "code": "folder"}]},
    "subject": {"reference": "Patient/camille-test"},
    "date": "2026-11-30T10:05:00+01:00",
    "entry": [{"item": {"reference": "DocumentReference/cr-consult-1"}}]}

consent = {
    "resourceType": "Consent", "id": "authorise-dr-martin", "meta": meta("dmp-consent"),
    "status": "active",
    "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
    "patient": {"reference": "Patient/camille-test"},
    "dateTime": "2026-11-30T09:00:00+01:00",
    "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
    "provision": {"type": "permit", "period": {"start": "2026-11-30"},
                  "actor": [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP"}]},
                             "reference": {"reference": "Practitioner/dr-martin"}}]}}
opposition = copy.deepcopy(consent)
opposition.update({"id": "emergency-opposition",
                   "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTOUT"}]},
                   "provision": {"type": "deny", "purpose": [
                       {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "ETREAT"},
                       {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "BTG"}]}})

block = copy.deepcopy(consent)
block.update({"id": "block-dr-durand",
              "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTOUT"}]}})
block["provision"].update(type="deny")
block["provision"]["actor"][0]["reference"]["reference"] = "Practitioner/dr-durand"

allergy = {
    "resourceType": "AllergyIntolerance", "id": "allergy-penicillin", "meta": meta("dmp-allergyintolerance"),
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
    "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed"}]},
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005", "display": "Allergy to penicillin"}]},
    "patient": {"reference": "Patient/camille-test"},
    "onsetPeriod": {"start": "2001-06"},
    "reaction": [{"manifestation": [{"text": "urticaire"}], "note": [{"text": "après amoxicilline"}]}]}

medication = {
    "resourceType": "MedicationStatement", "id": "med-1", "meta": meta("dmp-medicationstatement"),
    "status": "active",
    "medicationCodeableConcept": {"text": "paracétamol 500 mg"},
    "subject": {"reference": "Patient/camille-test"},
    "effectivePeriod": {"start": "2026-11-01"}}

audit = {
    "resourceType": "AuditEvent", "id": "trace-1", "meta": meta("dmp-auditevent"),
    "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
    "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}],
    "action": "R", "period": {"start": "2026-11-30T10:10:00+01:00"},
    "recorded": "2026-11-30T10:10:00+01:00", "outcome": "0",
    "agent": [{"who": {"reference": "Practitioner/dr-martin"}, "requestor": True}],
    "source": {"observer": {"display": "Carnet"}},
    "entity": [{"what": {"reference": "DocumentReference/cr-consult-1"}}]}

corsica = copy.deepcopy(patient)
corsica.update({"id": "ange-corse-demo"})
corsica["identifier"][0].update(type={"coding": [{"system": FRCS, "code": "INS-NIR-DEMO"}]},
                                system="urn:oid:1.2.250.1.213.1.4.11", value="185052A12345633")
corsica.update(gender="male", birthDate="1985-05-01", name=[{"use": "official", "family": "DEMODMP", "given": ["Ange"]}])
docref_v3 = copy.deepcopy(docref)
docref_v3["id"] = "cr-v3-confidentiality"
docref_v3["securityLabel"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "N"}]},
                              {"coding": [{"system": A07.replace("Statut", "Status"), "code": "INVISIBLE_PATIENT"}]}]

VALID = {"patient-corsica-demo": corsica, "documentreference-v3-confidentiality": docref_v3, "patient": patient, "practitioner": practitioner, "practitioner-durand": durand, "practitionerrole": role, "organization": organization,
         "relatedperson": related, "documentreference": docref, "list-submissionset": submission,
         "list-folder": folder,
         "consent-authorisation": consent, "consent-emergency-opposition": opposition, "consent-block": block,
         "allergyintolerance": allergy, "medicationstatement": medication, "auditevent": audit}


def bad(base, change):
    r = copy.deepcopy(base)
    change(r)
    return r


def drop(key):
    return lambda r: r.pop(key)


INVALID = {
    "patient-nir-bad-key": bad(patient, lambda r: r["identifier"][0].update(value="285027512345673")),
    "patient-ins-wrong-type": bad(patient, lambda r: r["identifier"][0]["type"]["coding"][0].update(code="INS-NIR")),
    "patient-vali-without-ins": bad(patient, lambda r: r["identifier"].__setitem__(0, {
        "use": "official", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}]},
        "system": "urn:oid:1.2.250.1.999.1", "value": "IPP-0001"})),
    "patient-validation-mode-unknown": bad(patient, lambda r: r["extension"][1]["extension"][2]["valueCoding"].update(code="XX")),
    "patient-gender-other": bad(patient, lambda r: r.update(gender="other")),
    "practitioner-idnps-bad-prefix": bad(practitioner, lambda r: r["identifier"][0].update(value="999700218896")),
    "practitioner-idnps-rpps-too-short": bad(practitioner, lambda r: r["identifier"][0].update(value="89970021889")),
    "practitioner-no-idnps": bad(practitioner, lambda r: r["identifier"].pop(0)),
    "practitionerrole-no-practitioner": bad(role, drop("practitioner")),
    "organization-siret-13-digits": bad(organization, lambda r: r["identifier"][2].update(value="9999999990001")),
    "relatedperson-no-relationship": bad(related, drop("relationship")),
    "documentreference-type-not-dmp": bad(docref, lambda r: r["type"]["coding"][0].update(code="34133-9x")),
    "documentreference-masque-psocial": bad(docref, lambda r: r["securityLabel"][1]["coding"][0].update(code="MASQUE_PSOCIAL")),
    "documentreference-no-hash": bad(docref, lambda r: r["content"][0]["attachment"].pop("hash")),
    "documentreference-no-period-start": bad(docref, lambda r: r["context"].update(period={"end": "2026-11-30T10:00:00+01:00"})),
    "documentreference-category-not-dmp": bad(docref, lambda r: r["category"][0]["coding"][0].update(code="12")),
    "list-submissionset-no-source-id": bad(submission, lambda r: r["extension"].pop(1)),
    "consent-permit-without-actor": bad(consent, lambda r: r["provision"].pop("actor")),
    "consent-deny-other-purpose": bad(opposition, lambda r: r["provision"]["purpose"][1].update(code="TREAT")),
    "allergyintolerance-no-code": bad(allergy, drop("code")),
    "medicationstatement-effective-datetime": bad(medication, lambda r: (r.pop("effectivePeriod"), r.update(effectiveDateTime="2026-11-01"))),
    "auditevent-three-agents": bad(audit, lambda r: r["agent"].extend([copy.deepcopy(r["agent"][0]), copy.deepcopy(r["agent"][0])])),
    "auditevent-two-subtypes": bad(audit, lambda r: r["subtype"].append({"system": "http://hl7.org/fhir/restful-interaction", "code": "search-type"})),
    "patient-ins-test-use-secondary": bad(patient, lambda r: r["identifier"].append(dict(copy.deepcopy(r["identifier"][0]), use="secondary"))),
    "patient-no-identifier": bad(patient, lambda r: (r.pop("identifier"), r["extension"].pop(1))),
    "documentreference-no-size": bad(docref, lambda r: r["content"][0]["attachment"].pop("size")),
    "documentreference-no-subject": bad(docref, drop("subject")),
    "documentreference-archived-not-boolean": bad(docref, lambda r: r["extension"][0].update(valueBoolean=None) or r["extension"][0].pop("valueBoolean") or r["extension"][0].update(valueString="no")),
    "list-status-retired": bad(submission, lambda r: r.update(status="retired")),
    "list-folder-empty": bad(folder, drop("entry")),
    "list-folder-item-not-document": bad(folder, lambda r: r["entry"][0]["item"].update(reference="List/ss-1")),
    "list-code-folder": bad(submission, lambda r: r["code"]["coding"][0].update(code="folder")),
    "consent-actor-patient": bad(consent, lambda r: r["provision"]["actor"][0]["reference"].update(reference="Patient/camille-test")),
    "organization-finess-wrong-type": bad(organization, lambda r: r["identifier"][1]["type"]["coding"][0].update(code="SIRET")),
    "patient-vali-birthplace-99999": bad(patient, lambda r: r["extension"][0]["valueAddress"]["extension"][0]["valueCoding"].update(code="99999")),
    "patient-ins-with-provisional-identity": bad(patient, lambda r: r["extension"][1]["extension"][0]["valueCoding"].update(code="PROV")),
    "consent-deny-without-actor-or-purpose": bad(opposition, lambda r: r["provision"].pop("purpose")),
    "auditevent-no-period": bad(audit, drop("period")),
    "auditevent-agent-without-who": bad(audit, lambda r: r["agent"][0].pop("who")),
}

for folder, items in (("valid", VALID), ("invalid", INVALID)):
    os.makedirs(f"fixtures/dmp/{folder}", exist_ok=True)
    for name, res in items.items():
        with open(f"fixtures/dmp/{folder}/{name}.json", "w") as f:
            json.dump(res, f, indent=2, ensure_ascii=False)
            f.write("\n")
print(len(VALID), len(INVALID))
