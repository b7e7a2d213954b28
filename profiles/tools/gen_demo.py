#!/usr/bin/env python3
"""Writes the demo population of Carnet under fixtures/demo/ (run from the project root; deterministic).

- NN-*.json: transaction Bundles of PUTs with stable ids, loaded in file-name order by `carnet serve --demo`
  (src/interaction/demo.rs reads only the `*.json` files of the folder itself, not its sub-folders);
- content/: the document contents (small PDFs made here without dependencies, a few text/plain), the same
  bytes as the Binary resources of the Bundles;
- personas/personas.json: who to log in as (`carnet token --dev-keys DIR <token…>`), not a Bundle;
- README.md is written by hand (the story and what each persona sees).

Fictitious people only: INS on the TEST OID (one on the DEMO OID), NIR consistent with sex, birth year,
month and birthplace, with the key 97 - (13 digits mod 97); IDNPS = 8 + an 11-digit RPPS (Luhn key).
"Recent" is relative to the reference date REFERENCE below, not to the day the demo is loaded.

`01-record.json` keeps its name (tests/http/demo.rs and the README curl example post that file alone): it is
self-contained (the directory, two patients and the consultation note `cr-consult-1` with its Binary).
"""
import base64, hashlib, json, os, shutil, uuid

REFERENCE = "2026-11-20"  # the demo's "today": documents dated after 2026-11-06 are the recent ones
OUT = "fixtures/demo"

P = "https://carnet.example.org/fhir/StructureDefinition/"
FRCS = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
REL = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
A07 = "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument"
A08 = "https://mos.esante.gouv.fr/NOS/TRE_A08-HL7Confidentiality/FHIR/TRE-A08-HL7Confidentiality"
A03 = "https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument"
A05 = "https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire"
R02 = "https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite"
A01 = "https://mos.esante.gouv.fr/NOS/TRE_A01-CadreExercice/FHIR/TRE-A01-CadreExercice"
G15 = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
R38 = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
R216 = "https://mos.esante.gouv.fr/NOS/TRE_R216-HL7RoleCode/FHIR/TRE-R216-HL7RoleCode"
R260 = "https://mos.esante.gouv.fr/NOS/TRE_R260-HL7RoleClass/FHIR/TRE-R260-HL7RoleClass"
COMMUNE = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"  # as fixtures/dmp/valid
INSEE = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
LOINC = "http://loinc.org"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
FORMAT = {"system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode", "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient"}
INS_TEST, INS_DEMO = "urn:oid:1.2.250.1.213.1.4.10", "urn:oid:1.2.250.1.213.1.4.11"
IDNPS_SYSTEM, IDNST = "urn:oid:1.2.250.1.71.4.2.1", "urn:oid:1.2.250.1.71.4.2.2"
NS = uuid.UUID("5d6f0a3e-6c1b-4b8e-9f0e-2a4c6e8b1d01")  # uuid5 namespace of the demo


def meta(p):
    return {"profile": [P + p]}


def uid(name):
    return f"urn:uuid:{uuid.uuid5(NS, name)}"


def nir(sex, birth, insee, order):
    """15-digit NIR: sex, yy, mm, département + commune (INSEE code of the birthplace), order, key."""
    body = f"{sex}{birth[2:4]}{birth[5:7]}{insee}{order:03d}"
    digits = body.replace("2A", "19").replace("2B", "18") if body[5:7] in ("2A", "2B") else body
    return f"{body}{97 - int(digits) % 97:02d}"


def rpps(seed):
    """An 11-digit RPPS on the fictitious 997… range with its Luhn key."""
    base = f"9970{seed:06d}"
    total = 0
    for i, c in enumerate(reversed(base)):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return base + str((10 - total % 10) % 10)


# ---------------------------------------------------------------- directory (organisations, professionals)

def org(id_, name, ids, type_text):
    o = {"resourceType": "Organization", "id": id_, "meta": meta("dmp-organization"), "identifier": ids,
         "active": True, "type": [{"text": type_text}], "name": name}
    if not ids:
        del o["identifier"]
    return o


def idnst(value):
    return {"use": "official", "type": {"coding": [{"system": FRCS, "code": "IDNST"}]}, "system": IDNST, "value": value}


def finess(code, value):
    return {"type": {"coding": [{"system": FRCS, "code": code}]}, "system": "https://finess.esante.gouv.fr", "value": value}


def siret(value):
    return {"type": {"coding": [{"system": FRCS, "code": "SIRET"}]}, "system": "https://sirene.fr", "value": value}


ORGS = [
    org("ch-fictif", "Centre hospitalier fictif de Paris-Est",
        [idnst("1999999999"), finess("FINEJ", "999999999"), finess("FINEG", "999999981"), siret("99999999900017")],
        "Centre hospitalier (CH), avec SAMU - centre 15"),
    org("pharmacie-fictive", "Pharmacie fictive du Marché",
        [idnst("1759999991"), finess("FINEG", "759999991")], "Pharmacie d'officine"),
    org("msp-fictive", "Maison de santé pluriprofessionnelle fictive des Lilas",
        [idnst("399999999900025"), siret("99999999900025")], "Maison de santé (médecin généraliste, infirmière, chirurgien-dentiste)"),
    org("cpam-fictive", "Caisse primaire d'assurance maladie fictive", [], "Assurance Maladie (alimentation des remboursements)"),
]
ORG_BY_ID = {o["id"]: o for o in ORGS}

# id, given, family, prefix, G15 profession, R38 specialty (or None), organisation, RPPS seed, role text
PROS = [
    ("dr-martin", "Alix", "MARTIN-FICTIF", "DR", "10", "SM54", "msp-fictive", None, "médecin généraliste, médecin traitant"),
    ("dr-bernard", "Hélène", "BERNARD-FICTIF", "DR", "10", "SM04", "ch-fictif", 301, "cardiologue au CH"),
    ("dr-lefevre", "Noé", "LEFEVRE-FICTIF", "DR", "10", "SM42", "ch-fictif", 302, "psychiatre au CH"),
    ("ph-moreau", "Inès", "MOREAU-FICTIF", None, "21", None, "pharmacie-fictive", 303, "pharmacienne d'officine"),
    ("ide-petit", "Sam", "PETIT-FICTIF", None, "60", None, "msp-fictive", 304, "infirmier libéral (maison de santé)"),
    ("ide-roux", "Lou", "ROUX-FICTIF", None, "60", None, "ch-fictif", 305, "infirmière au CH (cardiologie)"),
    ("dr-garnier", "Yanis", "GARNIER-FICTIF", "DR", "40", None, "msp-fictive", 306, "chirurgien-dentiste"),
    ("dr-samu", "Maël", "FAURE-FICTIF", "DR", "10", "SM59", "ch-fictif", 307, "médecin régulateur du SAMU (centre 15)"),
    ("dr-durand", "Sacha", "DURAND-FICTIF", "DR", "10", "SM54", "ch-fictif", None, "médecin au CH, bloqué par Camille"),
]
FIXED_RPPS = {"dr-martin": "99700218896", "dr-durand": "99700218904"}  # as fixtures/dmp/valid
G15_DISPLAY = {"10": "Médecin", "21": "Pharmacien", "40": "Chirurgien-Dentiste", "60": "Infirmier"}
R38_DISPLAY = {"SM54": "Médecine générale", "SM04": "Cardiologie et maladies vasculaires", "SM42": "Psychiatrie",
               "SM59": "Médecine d'urgence"}

PRACTITIONERS, ROLES, IDNPS = [], [], {}
for pid, given, family, prefix, prof, spec, org_id, seed, _ in PROS:
    number = FIXED_RPPS.get(pid) or rpps(seed)
    IDNPS[pid] = "8" + number
    name = {"family": family, "given": [given]}
    if prefix:
        name["prefix"] = [prefix]
    PRACTITIONERS.append({
        "resourceType": "Practitioner", "id": pid, "meta": meta("dmp-practitioner"),
        "identifier": [
            {"use": "official", "type": {"coding": [{"system": FRCS, "code": "IDNPS"}]}, "system": IDNPS_SYSTEM, "value": "8" + number},
            {"use": "official", "type": {"coding": [{"system": FRCS, "code": "RPPS"}]}, "system": "https://rpps.esante.gouv.fr", "value": number}],
        "active": True, "name": [name],
        "qualification": [{"code": {"coding": [{"system": G15, "code": prof, "display": G15_DISPLAY[prof]}]}}]})
    role = {"resourceType": "PractitionerRole", "id": f"{pid}-role", "meta": meta("dmp-practitionerrole"),
            "active": True, "practitioner": {"reference": f"Practitioner/{pid}"},
            "organization": {"reference": f"Organization/{org_id}"},
            "code": [{"coding": [{"system": G15, "code": prof, "display": G15_DISPLAY[prof]}]}]}
    if spec:
        role["specialty"] = [{"coding": [{"system": R38, "code": spec, "display": R38_DISPLAY[spec]}]}]
    ROLES.append(role)
ROLE_OF = {r["practitioner"]["reference"].split("/")[1]: r["id"] for r in ROLES}
ORG_OF = {p[0]: p[6] for p in PROS}

DEVICE = {"resourceType": "Device", "id": "cnam-remboursements", "status": "active",
          "deviceName": [{"name": "Alimentation de l'historique des remboursements (Assurance Maladie, fictif)", "type": "user-friendly-name"}],
          "owner": {"reference": "Organization/cpam-fictive"}}

# ---------------------------------------------------------------- patients


def patient(id_, given, family, sex, birth, city, insee, order, system=INS_TEST, **extra):
    value = nir("1" if sex == "male" else "2", birth, insee, order)
    code = "INS-NIR-TEST" if system == INS_TEST else "INS-NIR-DEMO"
    p = {"resourceType": "Patient", "id": id_, "meta": meta("dmp-patient"),
         "extension": [
             {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace", "valueAddress": {
                 "extension": [{"url": INSEE, "valueCoding": {"system": COMMUNE, "code": insee}}], "city": city}},
             {"url": REL, "extension": [
                 {"url": "identityStatus", "valueCoding": {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445", "code": "VALI"}},
                 {"url": "validationDate", "valueDate": "2025-03-02"},
                 {"url": "validationMode", "valueCoding": {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity", "code": "CN"}}]}],
         "identifier": [{"use": "official", "type": {"coding": [{"system": FRCS, "code": code}]}, "system": system, "value": value}],
         "active": True,
         "name": [{"use": "official", "family": family, "given": [given]}],
         "gender": sex, "birthDate": birth,
         "generalPractitioner": [{"reference": "Practitioner/dr-martin"}]}
    p.update(extra)
    return p


# NIR birthplace: Paris 14e (75114), Lyon 3e (69383), Marseille 6e (13206), Ajaccio (2A004).
CAMILLE = patient("camille-test", "Camille", "TESTDMP", "female", "1985-02-14", "Paris", "75114", 42,
                  telecom=[{"system": "phone", "value": "+33 6 00 00 00 01", "use": "mobile"}],
                  address=[{"use": "home", "line": ["12 rue Fictive"], "postalCode": "75020", "city": "Paris", "country": "FRA"}],
                  contact=[{"relationship": [{"coding": [
                      {"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C", "display": "Emergency Contact"},
                      {"system": R260, "code": "ECON", "display": "Contact d'urgence"}]}],
                      "name": {"family": "TESTDMP", "given": ["Dominique"]},
                      "telecom": [{"system": "phone", "value": "+33 6 00 00 00 02", "use": "mobile"}]}])
MARCEL = patient("marcel-aine", "Marcel", "TESTAINE", "male", "1938-09-22", "Lyon", "69383", 117)
LEO = patient("leo-mineur", "Léo", "TESTDMP", "male", "2012-06-03", "Paris", "75114", 203)
JEANNE = patient("jeanne-fermee", "Jeanne", "TESTFERME", "female", "1972-11-30", "Marseille", "13206", 88, active=False)
ANGE = patient("ange-corse-demo", "Ange", "DEMODMP", "male", "1985-05-01", "Ajaccio", "2A004", 31, system=INS_DEMO)
PATIENTS = [CAMILLE, MARCEL, LEO, JEANNE, ANGE]
INS = {p["id"]: p["identifier"][0]["system"] + "|" + p["identifier"][0]["value"] for p in PATIENTS}

PARENT = {"resourceType": "RelatedPerson", "id": "parent-of-leo", "meta": meta("dmp-relatedperson"),
          "identifier": [{"system": INS_TEST, "value": CAMILLE["identifier"][0]["value"]}],
          "active": True, "patient": {"reference": "Patient/leo-mineur"},
          "relationship": [{"coding": [{"system": R216, "code": "MTH", "display": "Mère"}]}],
          "name": [{"family": "TESTDMP", "given": ["Camille"]}],
          "telecom": [{"system": "phone", "value": "+33 6 00 00 00 01"}]}

# ---------------------------------------------------------------- clinical data

ALLERGY = {
    "resourceType": "AllergyIntolerance", "id": "allergy-penicillin", "meta": meta("dmp-allergyintolerance"),
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
    "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed"}]},
    "type": "allergy", "category": ["medication"], "criticality": "high",
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005", "display": "Allergy to penicillin"}], "text": "Allergie à la pénicilline"},
    "patient": {"reference": "Patient/camille-test"},
    "onsetPeriod": {"start": "2001-06"},
    "recorder": {"reference": "Practitioner/dr-martin"},
    "reaction": [{"manifestation": [{"text": "urticaire généralisée"}], "note": [{"text": "après amoxicilline"}]}]}


def med(id_, subject, text, start, author, dosage):
    return {"resourceType": "MedicationStatement", "id": id_, "meta": meta("dmp-medicationstatement"),
            "status": "active", "medicationCodeableConcept": {"text": text},
            "subject": {"reference": f"Patient/{subject}"}, "effectivePeriod": {"start": start},
            "dateAsserted": start, "informationSource": {"reference": f"Practitioner/{author}"},
            "dosage": [{"text": dosage}]}


MEDS = [
    med("med-1", "camille-test", "bisoprolol 2,5 mg, comprimé", "2026-06-18", "dr-bernard", "1 comprimé le matin"),
    med("med-camille-paracetamol", "camille-test", "paracétamol 500 mg, gélule", "2026-11-01", "dr-martin", "1 à 2 gélules si douleur, 6 par jour au plus"),
    med("med-marcel-apixaban", "marcel-aine", "apixaban 2,5 mg, comprimé", "2024-03-01", "dr-martin", "1 comprimé matin et soir"),
]


def consent(id_, subject, kind, actor=None, start="2026-01-05", end=None, when=None):
    c = {"resourceType": "Consent", "id": id_, "meta": meta("dmp-consent"), "status": "active",
         "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
         "category": [{"coding": [{"system": LOINC, "code": "59284-0", "display": "Consent Document"}]}],
         "patient": {"reference": f"Patient/{subject}"},
         "dateTime": (when or start) + "T09:00:00+01:00",
         "performer": [{"reference": f"Patient/{subject}"}],
         "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN" if kind == "permit" else "OPTOUT"}]}}
    period = {"start": start}
    if end:
        period["end"] = end
    if kind == "opposition":
        c["provision"] = {"type": "deny", "period": period, "purpose": [
            {"system": ACT_REASON, "code": "ETREAT", "display": "Emergency Treatment"},
            {"system": ACT_REASON, "code": "BTG", "display": "Break the glass"}]}
    else:
        c["provision"] = {"type": kind, "period": period, "actor": [{
            "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP"}]},
            "reference": {"reference": actor}}]}
    return c


CONSENTS = [
    consent("authorise-ph-moreau", "camille-test", "permit", "Practitioner/ph-moreau", "2026-02-10"),
    consent("authorise-ide-petit", "camille-test", "permit", "Practitioner/ide-petit", "2026-03-02"),
    consent("authorise-ide-roux", "camille-test", "permit", "Practitioner/ide-roux", "2026-06-15"),
    consent("authorise-dr-garnier", "camille-test", "permit", "Practitioner/dr-garnier", "2026-09-01", end="2027-08-31"),
    consent("authorise-dr-bernard", "camille-test", "permit", "Practitioner/dr-bernard", "2026-06-10"),
    consent("authorise-ch-equipe", "camille-test", "permit", "Organization/ch-fictif", "2026-04-01"),
    consent("block-dr-durand", "camille-test", "deny", "Practitioner/dr-durand", "2026-05-20"),
    consent("authorise-ide-petit-marcel", "marcel-aine", "permit", "Practitioner/ide-petit", "2025-10-01"),
    consent("emergency-opposition", "ange-corse-demo", "opposition", start="2026-01-15"),
]

# ---------------------------------------------------------------- documents

# type code → (system, display, class code, class display)
TYPES = {
    "11488-4": (LOINC, "CR ou fiche de consultation ou de visite", "10", "Compte rendu"),
    "11490-0": (LOINC, "Lettre de liaison à la sortie d'un établissement de soins", "10", "Compte rendu"),
    "34112-3": (LOINC, "CR hospitalier (séjour)", "10", "Compte rendu"),
    "11502-2": (LOINC, "CR d'examens biologiques", "10", "Compte rendu"),
    "18748-4": (LOINC, "CR d'imagerie médicale", "31", "Imagerie médicale"),
    "87273-9": (LOINC, "Note de vaccination", "52", "Certificat, déclaration"),
    "56445-0": (LOINC, "Bilan médicamenteux (Officine)", "11", "Synthèse"),
    "60591-5": (LOINC, "Synthèse médicale", "11", "Synthèse"),
    "68599-0": (LOINC, "Synthèse psychiatrique", "11", "Synthèse"),
    "EXPPAT_3": (A05, "Directives anticipées", "90", "Autres documents déposés par le patient"),
    "REMB": (A05, "Données de remboursement", "60", "Données de remboursement"),
}
FACILITY = {"ch-fictif": ("SA01", "Etablissement public de santé", "ETABLISSEMENT"),
            "msp-fictive": ("SA07", "Cabinet individuel", "AMBULATOIRE"),
            "pharmacie-fictive": ("SA33", "Pharmacie d'officine", "AMBULATOIRE"),
            "cpam-fictive": ("SA07", "Cabinet individuel", "AMBULATOIRE")}

# id, patient, type, author, date, title, labels, feeding (submission set), content type, lines
DOCS = [
    ("cr-consult-1", "camille-test", "11488-4", "dr-martin", "2026-11-12T10:00:00+01:00",
     "Consultation de suivi - Dr Martin", [], "ss-1", "application/pdf",
     ["Patiente : Camille TESTDMP, née le 14/02/1985 (patiente fictive).",
      "Motif : suivi après séjour en cardiologie (juin 2026), douleurs lombaires.",
      "Examen : TA 12/7, FC 64/min, examen cardio-pulmonaire normal.",
      "Conclusion : bonne tolérance du bisoprolol ; paracétamol si douleur.",
      "Prochain rendez-vous : dans 3 mois."]),
    ("lettre-liaison-ch", "camille-test", "11490-0", "dr-bernard", "2026-06-18T16:30:00+01:00",
     "Lettre de liaison - sortie de cardiologie", [], "ss-ch-sortie", "application/pdf",
     ["Séjour du 15/06/2026 au 18/06/2026, service de cardiologie (fictif).",
      "Motif : palpitations ; tachycardie jonctionnelle documentée.",
      "Traitement de sortie : bisoprolol 2,5 mg le matin.",
      "Suivi : consultation de cardiologie à 3 mois, échographie de contrôle."]),
    ("cr-bio-serologies", "camille-test", "11502-2", "dr-bernard", "2026-06-16T08:15:00+01:00",
     "CR de biologie - bilan et sérologies", ["MASQUE_PS"], "ss-ch-sortie", "application/pdf",
     ["Bilan biologique du 16/06/2026 (valeurs fictives).",
      "NFS normale ; ionogramme normal ; TSH 1,8 mUI/L.",
      "Sérologies VIH, VHB, VHC : négatives.",
      "Document masqué aux professionnels à la demande de la patiente."]),
    ("cr-imagerie-echo", "camille-test", "18748-4", "dr-bernard", "2026-11-19T11:00:00+01:00",
     "Échocardiographie de contrôle", ["INVISIBLE_PATIENT"], "ss-ch-echo", "application/pdf",
     ["Échocardiographie transthoracique du 19/11/2026 (fictive).",
      "FEVG 55 %, pas de valvulopathie significative.",
      "Résultat à remettre lors d'une consultation d'annonce :",
      "invisible pour la patiente jusqu'au 19/12/2026 (R.1111-53)."]),
    ("vaccination-camille", "camille-test", "87273-9", "ide-petit", "2026-10-20T14:00:00+01:00",
     "Note de vaccination - grippe saisonnière", [], "ss-vaccination-camille", "text/plain",
     ["Vaccination antigrippale saison 2026-2027 (fictive).",
      "Vaccin : vaccin grippal quadrivalent, lot FICTIF-001, deltoïde gauche.",
      "Aucun effet indésirable immédiat."]),
    ("bilan-medicamenteux", "camille-test", "56445-0", "ph-moreau", "2026-11-14T17:20:00+01:00",
     "Bilan médicamenteux - officine", [], "ss-bilan-officine", "application/pdf",
     ["Bilan médicamenteux réalisé à l'officine (fictif).",
      "Traitements : bisoprolol 2,5 mg ; paracétamol 500 mg si besoin.",
      "Allergie connue : pénicilline (urticaire).",
      "Pas d'interaction relevée ; observance bonne."]),
    ("vsm-camille", "camille-test", "60591-5", "dr-martin", "2026-09-02T09:30:00+01:00",
     "Synthèse médicale (VSM)", [], "ss-vsm", "application/pdf",
     ["Volet de synthèse médicale (fictif).",
      "Antécédents : tachycardie jonctionnelle (2026) ; lombalgies communes.",
      "Allergie : pénicilline. Traitement : bisoprolol 2,5 mg.",
      "Vaccinations à jour. Médecin traitant : Dr Alix MARTIN-FICTIF."]),
    ("synthese-psy", "camille-test", "68599-0", "dr-lefevre", "2026-04-07T15:00:00+01:00",
     "Synthèse psychiatrique", [], "ss-psy", "application/pdf",
     ["Synthèse de suivi psychiatrique (fictive).",
      "Épisode anxieux réactionnel au printemps 2026, évolution favorable.",
      "Suivi psychothérapeutique mensuel ; pas de traitement médicamenteux.",
      "Non visible des infirmiers ni des chirurgiens-dentistes (matrice)."]),
    ("directives-marcel", "marcel-aine", "EXPPAT_3", "dr-martin", "2025-01-15T11:00:00+01:00",
     "Directives anticipées", [], "ss-marcel-da", "application/pdf",
     ["Directives anticipées de M. Marcel TESTAINE (fictives).",
      "Je refuse l'acharnement thérapeutique et toute réanimation lourde.",
      "Personne de confiance : sa fille (fictive).",
      "Recueillies en consultation par le Dr Alix MARTIN-FICTIF."]),
    ("vaccination-marcel", "marcel-aine", "87273-9", "ide-petit", "2026-10-28T10:00:00+01:00",
     "Note de vaccination - grippe et COVID-19", [], "ss-marcel-vaccination", "application/pdf",
     ["Vaccinations à domicile du 28/10/2026 (fictives).",
      "Grippe : vaccin haute dose, lot FICTIF-002.",
      "COVID-19 : rappel automnal, lot FICTIF-003."]),
    ("remb-marcel", "marcel-aine", "REMB", "device:cnam-remboursements", "2026-11-01T03:00:00+01:00",
     "Historique des remboursements (24 mois)", [], "ss-marcel-remb", "text/plain",
     ["Historique des soins remboursés (fictif), novembre 2024 - octobre 2026.",
      "2026-10-28  Vaccination à domicile (infirmier)      remboursé",
      "2026-09-12  Consultation médecin généraliste        remboursé",
      "2026-03-01  Pharmacie : apixaban 2,5 mg             remboursé",
      "2025-01-15  Consultation médecin généraliste        remboursé"]),
    ("vaccination-leo", "leo-mineur", "87273-9", "dr-martin", "2026-09-15T17:00:00+01:00",
     "Note de vaccination - HPV", [], "ss-leo-vaccination", "application/pdf",
     ["Vaccination HPV, 1re dose, du 15/09/2026 (fictive).",
      "Vaccin : HPV nonavalent, lot FICTIF-004."]),
    ("cr-consult-leo-confidentiel", "leo-mineur", "11488-4", "dr-martin", "2026-11-10T18:00:00+01:00",
     "Consultation confidentielle", ["INVISIBLE_REPRESENTANTS_LEGAUX"], "ss-leo-confidentiel", "application/pdf",
     ["Consultation demandée par le mineur seul (L.1111-5), fictive.",
      "Le patient s'oppose à ce que ses représentants légaux soient informés.",
      "Invisible aux représentants légaux (R.1111-50)."]),
    ("cr-bio-jeanne", "jeanne-fermee", "11502-2", "dr-martin", "2019-05-03T09:00:00+01:00",
     "CR de biologie - bilan annuel 2019", [], "ss-jeanne", "application/pdf",
     ["Bilan biologique annuel de 2019 (fictif).",
      "Glycémie, bilan lipidique et NFS normaux.",
      "DMP fermé depuis : les professionnels n'y ont plus accès."]),
    ("vsm-ange", "ange-corse-demo", "60591-5", "dr-martin", "2026-02-02T10:00:00+01:00",
     "Synthèse médicale (VSM)", [], "ss-ange", "application/pdf",
     ["Volet de synthèse médicale de M. Ange DEMODMP (fictif).",
      "Asthme léger ; salbutamol à la demande.",
      "Le patient s'est opposé à l'accès en urgence à son DMP."]),
]
# the main transaction (01-record.json) holds the first feeding; the rest goes to 04-documents.json
FIRST_FEEDING = {"cr-consult-1"}


def pdf_bytes(title, lines):
    """A minimal one-page PDF 1.4 (Helvetica, WinAnsi) with the title and the lines; deterministic."""
    def text(s):
        raw = s.encode("cp1252", "replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 16 Tf 56 780 Td (" + text(title) + b") Tj /F1 11 Tf 0 -30 Td 15 TL"
    for line in lines:
        stream += b" (" + text(line) + b") Tj T*"
    stream += b" /F1 8 Tf T* (" + text("Document fictif - démonstration Carnet, aucune donnée réelle.") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Title (" + text(title) + b") /Producer (Carnet gen_demo.py) /CreationDate (D:20261120000000Z) >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def text_bytes(title, lines):
    return (title + "\n" + "=" * len(title) + "\n\n" + "\n".join(lines)
            + "\n\nDocument fictif - démonstration Carnet, aucune donnée réelle.\n").encode("utf-8")


def author_ref(author):
    if author.startswith("device:"):
        return {"reference": "Device/" + author.split(":", 1)[1]}
    return {"reference": f"Practitioner/{author}"}


def custodian_of(author):
    return "cpam-fictive" if author.startswith("device:") else ORG_OF[author]


DOCREFS, BINARIES, CONTENT = [], [], {}
for n, (did, subject, tcode, author, date, title, labels, _, ctype, lines) in enumerate(DOCS, 1):
    system, tdisplay, ccode, cdisplay = TYPES[tcode]
    data = pdf_bytes(title, lines) if ctype == "application/pdf" else text_bytes(title, lines)
    CONTENT[did + (".pdf" if ctype == "application/pdf" else ".txt")] = data
    BINARIES.append({"resourceType": "Binary", "id": did, "contentType": ctype,
                     "securityContext": {"reference": f"DocumentReference/{did}"},
                     "data": base64.b64encode(data).decode()})
    custodian = custodian_of(author)
    facility, fdisplay, setting = FACILITY[custodian]
    DOCREFS.append({
        "resourceType": "DocumentReference", "id": did, "meta": meta("dmp-documentreference"),
        "extension": [{"url": "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived", "valueBoolean": False}],
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:1.2.250.1.999.2.{n}.1"},
        "identifier": [{"use": "official", "system": "urn:ietf:rfc:3986", "value": uid("doc/" + did)}],
        "status": "current",
        "type": {"coding": [{"system": system, "code": tcode, "display": tdisplay}]},
        "category": [{"coding": [{"system": A03, "code": ccode, "display": cdisplay}]}],
        "subject": {"reference": f"Patient/{subject}"},
        "date": date,
        "author": [author_ref(author)],
        "custodian": {"reference": f"Organization/{custodian}"},
        "description": title,
        "securityLabel": [{"coding": [{"system": A08, "code": "N", "display": "Normal"}]}]
                         + [{"coding": [{"system": A07, "code": code}]} for code in labels],
        "content": [{"attachment": {"contentType": ctype, "language": "fr-FR", "url": f"Binary/{did}",
                                    "size": len(data), "hash": base64.b64encode(hashlib.sha1(data).digest()).decode(),
                                    "title": title, "creation": date},
                     "format": FORMAT}],
        "context": {"period": {"start": date},
                    "facilityType": {"coding": [{"system": R02, "code": facility, "display": fdisplay}]},
                    "practiceSetting": {"coding": [{"system": A01, "code": setting}]},
                    "sourcePatientInfo": {"reference": f"Patient/{subject}"}}})

# one submission set (PDSm List) per feeding
LISTS, feedings = [], {}
for d in DOCS:
    feedings.setdefault(d[7], []).append(d)
for m, (ss, docs) in enumerate(feedings.items(), 1):
    subject, author, date = docs[0][1], docs[0][3], max(d[4] for d in docs)
    custodian = custodian_of(author)
    source = author_ref(author) if author.startswith("device:") else {"reference": f"PractitionerRole/{ROLE_OF[author]}"}
    LISTS.append({
        "resourceType": "List", "id": ss, "meta": meta("dmp-list-submissionset"),
        "extension": [
            {"url": "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType",
             "valueCodeableConcept": {"coding": [{"system": R02, "code": FACILITY[custodian][0], "display": FACILITY[custodian][1]}]}},
            {"url": "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId",
             "valueIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:1.2.250.1.999.3.{list(ORG_BY_ID).index(custodian) + 1}"}}],
        "identifier": [{"use": "usual", "system": "urn:ietf:rfc:3986", "value": f"urn:oid:1.2.250.1.999.2.9.{m}"},
                       {"use": "official", "system": "urn:ietf:rfc:3986", "value": uid("ss/" + ss)}],
        "status": "current", "mode": "working",
        "title": "Lot de soumission : " + ", ".join(d[5] for d in docs),
        "code": {"coding": [{"system": "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes", "code": "submissionset"}]},
        "subject": {"reference": f"Patient/{subject}"},
        "date": date,
        "source": source,
        "entry": [{"item": {"reference": f"DocumentReference/{d[0]}"}} for d in docs]})

# ---------------------------------------------------------------- bundles


def bundle(resources):
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}} for r in resources]}


def first(items, ids, keep):
    return [r for r in items if (r["id"] in ids) == keep]


first_lists = {d[7] for d in DOCS if d[0] in FIRST_FEEDING}
BUNDLES = {
    "01-record.json": ORGS + PRACTITIONERS + ROLES + [DEVICE, CAMILLE, MARCEL]
                      + first(BINARIES, FIRST_FEEDING, True) + first(DOCREFS, FIRST_FEEDING, True)
                      + first(LISTS, first_lists, True),
    "02-patients.json": [LEO, PARENT, JEANNE, ANGE],
    "03-consents-and-clinical.json": CONSENTS + [ALLERGY] + MEDS,
    "04-documents.json": first(BINARIES, FIRST_FEEDING, False) + first(DOCREFS, FIRST_FEEDING, False)
                         + first(LISTS, first_lists, False),
}

# ---------------------------------------------------------------- personas (carnet token arguments)
# `key` names the persona in conformance/scripts/consent/<key>.json, whose token variable is <key>Token.


def pro_token(pid, mode=None, organisation=False):
    prof = next(p for p in PROS if p[0] == pid)
    t = ["--professional", IDNPS[pid], "--profession", prof[4]]
    if prof[5]:
        t += ["--specialty", prof[5]]
    if organisation:
        t += ["--organization", ORG_BY_ID[prof[6]]["identifier"][0]["value"]]
    if mode:
        t += ["--mode", mode]
    return t


def full(pid):
    p = next(p for p in PROS if p[0] == pid)
    return f"{'Dr ' if p[3] else ''}{p[1]} {p[2]}"


PERSONAS = [
    {"key": "drMartin", "name": full("dr-martin"), "role": "médecin traitant de Camille, Marcel, Léo, Jeanne et Ange (généraliste, maison de santé)", "token": pro_token("dr-martin")},
    {"key": "drBernard", "name": full("dr-bernard"), "role": "cardiologue au CH, autorisée par Camille", "token": pro_token("dr-bernard", organisation=True)},
    {"key": "drLefevre", "name": full("dr-lefevre"), "role": "psychiatre au CH, accès à Camille par l'autorisation de l'équipe du CH", "token": pro_token("dr-lefevre", organisation=True)},
    {"key": "phMoreau", "name": full("ph-moreau"), "role": "pharmacienne d'officine, autorisée par Camille", "token": pro_token("ph-moreau", organisation=True)},
    {"key": "idePetit", "name": full("ide-petit"), "role": "infirmier libéral, autorisé par Camille et par Marcel", "token": pro_token("ide-petit")},
    {"key": "ideRoux", "name": full("ide-roux"), "role": "infirmière au CH, autorisée par Camille", "token": pro_token("ide-roux", organisation=True)},
    {"key": "drGarnier", "name": full("dr-garnier"), "role": "chirurgien-dentiste, autorisé par Camille jusqu'au 2027-08-31", "token": pro_token("dr-garnier")},
    {"key": "drSamuRegulation", "name": full("dr-samu"), "role": "médecin régulateur du SAMU (mode régulation)", "token": pro_token("dr-samu", mode="regulation")},
    {"key": "drSamuBrisDeGlace", "name": full("dr-samu") + " (bris de glace)", "role": "le même médecin, aux urgences du CH, en bris de glace", "token": pro_token("dr-samu", mode="bris-de-glace")},
    {"key": "drDurand", "name": full("dr-durand"), "role": "médecin du CH bloqué par Camille (même en bris de glace, même avec l'autorisation de l'équipe du CH)", "token": pro_token("dr-durand", mode="bris-de-glace", organisation=True)},
    {"key": "camille", "name": "Camille TESTDMP", "role": "patiente titulaire (parcours principal)", "token": ["--patient", INS["camille-test"]]},
    {"key": "marcel", "name": "Marcel TESTAINE", "role": "patient âgé, titulaire", "token": ["--patient", INS["marcel-aine"]]},
    {"key": "jeanne", "name": "Jeanne TESTFERME", "role": "titulaire d'un DMP fermé (lecture seule pour elle)", "token": ["--patient", INS["jeanne-fermee"]]},
    {"key": "ange", "name": "Ange DEMODMP", "role": "titulaire opposé à l'accès en urgence (INS DEMO)", "token": ["--patient", INS["ange-corse-demo"]]},
    {"key": "representativeLeo", "name": "Camille TESTDMP (mère de Léo)", "role": "représentante légale de Léo TESTDMP, mineur", "token": ["--representative", "parent-of-leo"]},
    {"key": "admin", "name": "Opérateur Carnet", "role": "administrateur (accès complet, tracé)", "token": ["--admin"]},
]


def dump(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    for name in os.listdir(OUT):
        if name.endswith(".json"):
            os.remove(os.path.join(OUT, name))
    shutil.rmtree(os.path.join(OUT, "content"), ignore_errors=True)
    os.makedirs(os.path.join(OUT, "content"))
    os.makedirs(os.path.join(OUT, "personas"), exist_ok=True)
    for name, resources in BUNDLES.items():
        dump(os.path.join(OUT, name), bundle(resources))
    for name, data in CONTENT.items():
        with open(os.path.join(OUT, "content", name), "wb") as f:
            f.write(data)
    dump(os.path.join(OUT, "personas", "personas.json"), PERSONAS)
    total = sum(len(r) for r in BUNDLES.values())
    print(f"{len(BUNDLES)} bundles, {total} resources, {len(CONTENT)} contents, {len(PERSONAS)} personas")


if __name__ == "__main__":
    main()
