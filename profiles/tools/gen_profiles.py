#!/usr/bin/env python3
"""Writes profiles/ (StructureDefinitions in differential form, ValueSets, CodeSystems).

The JSON files are the source of truth the server compiles in; this script is how they were
typed (facts: docs/fr-dmp-research.md §1-3). Re-run from the crate root after editing it.
"""
import json, os

BASE = "https://carnet.example.org/fhir/"
SD = BASE + "StructureDefinition/"
VS = BASE + "ValueSet/"
CORE = "http://hl7.org/fhir/StructureDefinition/"
FRCS_ID = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
REL = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
ARCHIVED = "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived"
DESIGNATION = "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType"
SOURCE_ID = "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId"
NOS = "https://mos.esante.gouv.fr/NOS/"
A07 = NOS + "TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument"
A08 = NOS + "TRE_A08-HL7Confidentiality/FHIR/TRE-A08-HL7Confidentiality"
A03 = NOS + "TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument"
A05 = NOS + "TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire"
A10 = NOS + "TRE_A10-NomenclatureURN/FHIR/TRE-A10-NomenclatureURN"
J57 = NOS + "JDV_J57-ClassCode-DMP/FHIR/JDV-J57-ClassCode-DMP"
J58 = NOS + "JDV_J58-ConfidentialityCode-DMP/FHIR/JDV-J58-ConfidentialityCode-DMP"
J60 = NOS + "JDV_J60-FormatCode-DMP/FHIR/JDV-J60-FormatCode-DMP"
J66 = NOS + "JDV_J66-TypeCode-DMP/FHIR/JDV-J66-TypeCode-DMP"
INS = {"INS-NIR": "urn:oid:1.2.250.1.213.1.4.8", "INS-NIA": "urn:oid:1.2.250.1.213.1.4.9",
       "INS-NIR-TEST": "urn:oid:1.2.250.1.213.1.4.10", "INS-NIR-DEMO": "urn:oid:1.2.250.1.213.1.4.11"}
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
IDNST = "urn:oid:1.2.250.1.71.4.2.2"
OUT = {}


def path_of(i):
    return ".".join(p.split(":")[0] for p in i.split("."))


def el(i, **kw):
    e = {"id": i, "path": path_of(i)}
    for k, v in kw.items():
        e[k.replace("_", "[x]") if k == "value_" else k] = v
    return e


def card(i, lo=None, hi=None, **kw):
    e = el(i, **kw)
    if lo is not None:
        e["min"] = lo
    if hi is not None:
        e["max"] = hi
    return e


def ref(*targets):
    return [{"code": "Reference", "targetProfile": [t if "/" in t else CORE + t for t in targets]}]


def bind(strength, vs, desc=None):
    b = {"strength": strength, "valueSet": vs}
    if desc:
        b["description"] = desc
    return b


def inv(key, human, expr):
    return {"key": key, "severity": "error", "human": human, "expression": expr}


def type_cc(code, system=FRCS_ID):
    return {"coding": [{"system": system, "code": code}]}


def sd(id_, type_, title, description, elements, kind="resource", url=None, context=None, base=None):
    res = {"resourceType": "StructureDefinition", "id": id_, "url": url or SD + id_,
           "version": "0.1.0", "name": "".join(w.capitalize() for w in id_.replace("-", " ").split()),
           "title": title, "status": "draft", "publisher": "Carnet", "description": description,
           "fhirVersion": "4.0.1", "kind": kind, "abstract": False}
    if context:
        res["context"] = [{"type": "element", "expression": c} for c in context]
    res.update({"type": type_, "baseDefinition": base or CORE + type_, "derivation": "constraint",
                "differential": {"element": [el(type_)] + elements if elements[0]["id"] != type_ else elements}})
    OUT["structure-definitions/" + id_ + ".json"] = res


def slicing(i, path="system", kind="value", **kw):
    return el(i, slicing={"discriminator": [{"type": kind, "path": path}], "rules": "open"}, **kw)


def id_slice(parent, name, system, type_code, lo=0, hi="*", use=None, use_binding=None, value_inv=None):
    out = [card(f"{parent}:{name}", lo, hi, sliceName=name),
           card(f"{parent}:{name}.system", 1, fixedUri=system),
           card(f"{parent}:{name}.value", 1)]
    if type_code:
        out.insert(1, card(f"{parent}:{name}.type", 1, patternCodeableConcept=type_cc(type_code)))
    if use:
        out.insert(1, card(f"{parent}:{name}.use", 1, patternCode=use))
    if use_binding:
        out.insert(1, card(f"{parent}:{name}.use", 1, binding=bind("required", use_binding)))
    if value_inv:
        out[-1]["constraint"] = [value_inv]
    return out


def ext_slice(parent, name, url, lo=0, hi="1"):
    return card(f"{parent}:{name}", lo, hi, sliceName=name, type=[{"code": "Extension", "profile": [url]}])


def value_set(id_, url, name, title, include, version=None, oid=None, description=None):
    vs = {"resourceType": "ValueSet", "id": id_, "url": url}
    if oid:
        vs["identifier"] = [{"system": "urn:ietf:rfc:3986", "value": "urn:oid:" + oid}]
    if version:
        vs["version"] = version
    vs.update({"name": name, "title": title, "status": "active"})
    if description:
        vs["description"] = description
    vs["compose"] = {"include": [{"system": s, "concept": [{"code": c} if d is None else {"code": c, "display": d} for c, d in cs]}
                                 for s, cs in include]}
    OUT["value-sets/" + id_ + ".json"] = vs


def code_system(id_, url, name, title, concepts, version=None, oid=None, description=None, case_sensitive=True, content="complete"):
    cs = {"resourceType": "CodeSystem", "id": id_, "url": url}
    if oid:
        cs["identifier"] = [{"system": "urn:ietf:rfc:3986", "value": "urn:oid:" + oid}]
    if version:
        cs["version"] = version
    cs.update({"name": name, "title": title, "status": "active"})
    if description:
        cs["description"] = description
    cs.update({"caseSensitive": case_sensitive, "content": content,
               "concept": [{"code": c, "display": d} for c, d in concepts]})
    OUT["code-systems/" + id_ + ".json"] = cs

# ---------------------------------------------------------------- terminology

code_system("TRE-A07-StatutVisibiliteDocument", A07, "TRE_A07_StatutVisibiliteDocument",
            "TRE_A07 StatutVisibiliteDocument", [
                ("INVISIBLE_PATIENT", "Non visible par le patient"),
                ("INVISIBLE_REPRESENTANTS_LEGAUX", "Non visible par les représentants légaux du patient"),
                ("MASQUE_PS", "Masqué aux professionnels de santé"),
                ("MASQUE_PSOCIAL", "Masqué aux professionnels du domaine social"),
                ("MASQUE_PT", "Masqué aux personnes tierces")],
            version="20231215120000", oid="1.2.250.1.213.1.1.4.13",
            description="Restriction d'audience applicable aux objets référencés", case_sensitive=False)
code_system("TRE-A08-HL7Confidentiality", A08, "TRE_A08_HL7Confidentiality", "TRE_A08 HL7Confidentiality",
            [("N", "Normal"), ("R", "Restreint"), ("V", "Très restreint")],
            description="Niveaux de confidentialité HL7: the codes N, R, V used by JDV_J58 (fragment).", content="fragment")
code_system("TRE-A03-ClasseDocument-DMP", A03, "TRE_A03_ClasseDocument", "TRE_A03 ClasseDocument (DMP classes)",
            [("10", "Compte rendu"), ("11", "Synthèse"), ("31", "Imagerie médicale"), ("42", "Prescription"),
             ("43", "Dispensation"), ("44", "Plan de soins, protocole de soins"), ("45", "Traitement administré"),
             ("52", "Certificat, déclaration"), ("60", "Données de remboursement"),
             ("90", "Autres documents déposés par le patient"), ("95", "Document de gestion")],
            oid="1.2.250.1.213.1.1.4.1",
            description="The classes used by JDV_J57-ClassCode-DMP (fragment).", content="fragment")

value_set("JDV-J57-ClassCode-DMP", J57, "JDV_J57_ClassCode_DMP", "JDV_J57 ClassCode DMP", [
    (A03, [(c, None) for c in ["10", "11", "31", "42", "43", "44", "45", "52", "60", "90", "95"]]),
    (A10, [("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "Digital Signature")])],
    version="20230922120000", oid="1.2.250.1.213.1.1.5.6")
value_set("JDV-J58-ConfidentialityCode-DMP", J58, "JDV_J58_ConfidentialityCode_DMP", "JDV_J58 ConfidentialityCode DMP", [
    (A08, [("N", "Normal"), ("R", "Restreint"), ("V", "Très restreint")]),
    (A07, [("INVISIBLE_PATIENT", None), ("INVISIBLE_REPRESENTANTS_LEGAUX", None), ("MASQUE_PS", None)])],
    version="20200424120000", oid="1.2.250.1.213.1.1.5.9")
LOINC_J66 = ("11369-6 11488-4 11490-0 11502-2 11505-5 11506-3 11526-1 15507-7 15508-5 18748-4 18761-7 18776-5 "
             "28653-4 29274-8 34112-3 34133-9 34749-2 34794-8 34842-5 34874-8 34875-5 47420-5 51969-4 52040-3 "
             "55115-0 56445-0 57057-2 57055-6 57075-4 57828-6 57832-8 57833-6 59283-2 59284-0 60568-3 60591-5 "
             "60593-1 61357-0 67851-6 68599-0 68817-6 70004-7 74207-2 74465-6 75468-9 75482-0 75492-9 75496-0 "
             "77436-4 77604-7 78489-2 78513-9 78601-2 80565-5 80771-9 80788-3 80820-4 83901-9 83836-7 83869-8 "
             "83981-1 85208-7 86531-1 87273-9 88348-8 89235-6 89601-9 93024-8 96173-0 96349-6 96874-3").split()
A05_J66 = ("AUTORIS-SOINS ATTEST-RESID ATTEST-DROITS-AM ATTEST-ASS-COMPL ATTEST-HEBGT BIL_AUTO CERT_DECL DISP_AUT "
           "EXPPAT_1 EXPPAT_2 EXPPAT_3 DOCPAT01 DOCPAT02 DOCPAT03 DOCPAT04 DOCPAT05 DOCPAT06 DOCPAT07 DOCPAT08 "
           "DOCPAT09 IMG-KOS PROT_ALD REMB SYNTH PRESC-AAT PRESC-BIO PRESC-KINE PRESC-INF PRESC-PEDI "
           "PRESC-ORTHOPHO PRESC-ORTHOPTIE").split()
value_set("JDV-J66-TypeCode-DMP", J66, "JDV_J66_TypeCode_DMP", "JDV_J66 TypeCode DMP", [
    ("http://loinc.org", [(c, None) for c in LOINC_J66]), (A05, [(c, None) for c in A05_J66])],
    description="The source codes of ConceptMap ASS_X16-CorrespondanceType-Classe-DMP (v20240223): 71 LOINC, "
                "31 TRE_A05. Version and OID of JDV_J66 itself are not in the research notes.")

value_set("dmp-vs-ins-identifier-use", VS + "dmp-vs-ins-identifier-use", "DmpVsInsIdentifierUse",
          "Use of an INS identifier (official, or old for a deactivated INS)",
          [("http://hl7.org/fhir/identifier-use", [("official", None), ("old", None)])])
value_set("dmp-vs-patient-gender", VS + "dmp-vs-patient-gender", "DmpVsPatientGender",
          "Patient gender for the DMP (no 'other', as FR Core)",
          [("http://hl7.org/fhir/administrative-gender", [("male", None), ("female", None), ("unknown", None)])])
value_set("dmp-vs-identity-status", VS + "dmp-vs-identity-status", "DmpVsIdentityStatus",
          "Identity reliability status (FR Core v2-0445 codes)",
          [("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445", [(c, None) for c in
            "VIDE PROV VALI DOUB DESA DPOT DOUA COLP COLV FILI CACH ANOM IDVER RECD IDRA USUR HOMD HOMA INVA FICT DOUT".split()])])
value_set("dmp-vs-identity-validation-mode", VS + "dmp-vs-identity-validation-mode", "DmpVsIdentityValidationMode",
          "Identity validation mode (FR Core mode-validation-identity codes)",
          [("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity",
            [(c, None) for c in "AN CC CE CM CN CS LE PA PC TC DC AC IE".split()])])
value_set("dmp-vs-identity-method-collection", VS + "dmp-vs-identity-method-collection", "DmpVsIdentityMethodCollection",
          "Identity collection method (FR Core method-collection codes)",
          [("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection", [(c, None) for c in "SM CV INSI CB RFID".split()])])
value_set("dmp-vs-finess-type", VS + "dmp-vs-finess-type", "DmpVsFinessType", "FINESS identifier types (juridique, géographique)",
          [(FRCS_ID, [("FINEJ", None), ("FINEG", None)])])
value_set("dmp-vs-emergency-purpose", VS + "dmp-vs-emergency-purpose", "DmpVsEmergencyPurpose",
          "Purposes an emergency opposition Consent denies (v3-ActReason)",
          [("http://terminology.hl7.org/CodeSystem/v3-ActReason", [("ETREAT", "emergency treatment"), ("BTG", "break the glass")])])
value_set("dmp-vs-consent-provision-type", VS + "dmp-vs-consent-provision-type", "DmpVsConsentProvisionType",
          "permit (authorisation) or deny (block, emergency opposition)",
          [("http://hl7.org/fhir/consent-provision-type", [("permit", None), ("deny", None)])])

# ---------------------------------------------------------------- extensions

def simple_ext(id_, url, title, description, value_type, context):
    sd(id_, "Extension", title, description, [
        el("Extension"),
        card("Extension.extension", hi="0"),
        card("Extension.url", fixedUri=url),
        card("Extension.value[x]", 1, type=[{"code": value_type}])], kind="complex-type", url=url, context=context)


sub = [("methodCollection", "Coding", bind("extensible", VS + "dmp-vs-identity-method-collection")),
       ("dateCollection", "date", None),
       ("identityStatus", "Coding", bind("extensible", VS + "dmp-vs-identity-status")),
       ("validationDate", "date", None),
       ("validationMode", "Coding", bind("required", VS + "dmp-vs-identity-validation-mode"))]
rel_elements = [el("Extension"), slicing("Extension.extension", "url")]
for name, t, b in sub:
    p = f"Extension.extension:{name}"
    rel_elements += [card(p, 0, "1", sliceName=name), card(p + ".url", fixedUri=name)]
    v = card(p + ".value[x]", 1, type=[{"code": t}])
    if b:
        v["binding"] = b
    rel_elements.append(v)
rel_elements += [card("Extension.url", fixedUri=REL), card("Extension.value[x]", hi="0")]
sd("fr-core-identity-reliability", "Extension", "Identity reliability (FR Core, self-contained copy)",
   "Reliability of the patient's identity: status (VALI = qualified), collection, validation date and mode. "
   "Same URL and shape as FR Core 2.2.0 so that FR Core instances validate; written for Carnet.",
   rel_elements, kind="complex-type", url=REL, context=["Patient"])
simple_ext("pdsm-ext-is-archived", ARCHIVED, "PDSm isArchived", "Whether the document or submission set is archived (PDSm).",
           "boolean", ["DocumentReference", "List"])
simple_ext("ihe-designationType", DESIGNATION, "IHE MHD designationType (minimal)",
           "SubmissionSet contentTypeCode (XDS); DMP value set JDV_J59 (not loaded).", "CodeableConcept", ["List"])
simple_ext("ihe-sourceId", SOURCE_ID, "IHE MHD sourceId (minimal)", "OID of the submitting source (XDS sourceId).",
           "Identifier", ["List"])

# ---------------------------------------------------------------- Patient

VALI = f"extension('{REL}').extension('identityStatus').value.exists(code = 'VALI')"
ins_any = " or ".join(f"identifier.where(system = '{s}' and use = 'official').exists()" for s in INS.values())
pat = [el("Patient", constraint=[
    inv("dmp-pat-1", "If identityReliability status = 'VALI', an official INS (NIR, NIA, test or demo NIR) SHALL be present (fr-core-1)",
        f"{VALI} implies ({ins_any})"),
    inv("dmp-pat-2", "If identityReliability status = 'VALI', only one identifier of use official SHALL be present (fr-core-2)",
        f"{VALI} implies (identifier.where(use = 'official').count() = 1)"),
    inv("dmp-pat-3", "If identityReliability status = 'VALI', the birth municipality COG code cannot be 99999 (fr-core-3)",
        f"{VALI} implies extension('http://hl7.org/fhir/StructureDefinition/patient-birthPlace').value"
        ".extension('https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code').value.code != '99999'"),
    inv("dmp-pat-4", "An official INS may only be conveyed for a qualified identity (identityStatus VALI)",
        f"({ins_any}) implies {VALI}")]),
    slicing("Patient.extension", "url"),
    ext_slice("Patient.extension", "identityReliability", REL, 0, "*"),
    slicing("Patient.identifier", "system", min=1)]
for name, system in INS.items():
    if name in ("INS-NIR", "INS-NIA"):
        pat += id_slice("Patient.identifier", name, system, name, use_binding=VS + "dmp-vs-ins-identifier-use")
    else:
        pat += id_slice("Patient.identifier", name, system, name, use="official")
pat += [card("Patient.name", 1), card("Patient.gender", 1, binding=bind("required", VS + "dmp-vs-patient-gender")),
        card("Patient.birthDate", 1),
        el("Patient.generalPractitioner", type=ref(SD + "dmp-practitioner", SD + "dmp-practitionerrole", SD + "dmp-organization"))]
sd("dmp-patient", "Patient", "DMP Patient", "The holder of a DMP: INS identifiers (NIR, NIA, test and demo NIR, "
   "FR Core fr-core-patient-ins slices), identity reliability, name, gender and birth date. "
   "generalPractitioner is the médecin traitant. NIR format and key: Rust check (carnet::dmp).", pat)

# ---------------------------------------------------------------- Practitioner, role, organization, related person

IDNPS_RE = inv("dmp-idnps-1", "idNat_PS is a prefix 0, 1, 3, 4, 5, 6 or 8 followed by digits",
               "$this.matches('^(0|1|3|4|5|6|8)[0-9]+$')")
RPPS_RE = inv("dmp-rpps-1", "An RPPS number has 11 digits", "$this.matches('^[0-9]{11}$')")
sd("dmp-practitioner", "Practitioner", "DMP Practitioner",
   "A professional acting on a DMP, identified by IDNPS (the consent engine matches on it); RPPS optional.",
   [slicing("Practitioner.identifier", "system", min=1),
    *id_slice("Practitioner.identifier", "idNatPs", IDNPS, "IDNPS", 1, "1", value_inv=IDNPS_RE),
    *id_slice("Practitioner.identifier", "rpps", "https://rpps.esante.gouv.fr", "RPPS", value_inv=RPPS_RE),
    card("Practitioner.name", 1)])
sd("dmp-practitionerrole", "PractitionerRole", "DMP PractitionerRole",
   "A professional's role in an organisation (author of documents); points to a dmp-practitioner.",
   [slicing("PractitionerRole.identifier", "system"),
    *id_slice("PractitionerRole.identifier", "numeroAm", "https://www.ameli.fr", None),
    card("PractitionerRole.practitioner", 1, type=ref(SD + "dmp-practitioner")),
    el("PractitionerRole.organization", type=ref(SD + "dmp-organization"))])
org_slicing = el("Organization.identifier", slicing={"discriminator": [{"type": "value", "path": "system"},
                                                                       {"type": "pattern", "path": "type"}], "rules": "open"})
sd("dmp-organization", "Organization", "DMP Organization",
   "A care organisation: idNatSt, FINESS (juridique or géographique), SIREN, SIRET (FR Core organization-etablissement slices).",
   [el("Organization", constraint=[inv("dmp-org-1", "A FINESS identifier is typed FINEJ (entité juridique) or FINEG (entité géographique)",
        f"identifier.where(system = 'https://finess.esante.gouv.fr').all(type.coding.where(system = '{FRCS_ID}' and (code = 'FINEJ' or code = 'FINEG')).exists())")]),
    org_slicing,
    *id_slice("Organization.identifier", "idNatSt", IDNST, "IDNST", 0, "1", use="official"),
    card("Organization.identifier:finess", 0, "*", sliceName="finess"),
    card("Organization.identifier:finess.type", 1, binding=bind("required", VS + "dmp-vs-finess-type")),
    card("Organization.identifier:finess.system", 1, fixedUri="https://finess.esante.gouv.fr"),
    card("Organization.identifier:finess.value", 1, constraint=[inv("dmp-finess-1", "A FINESS number has 9 characters", "$this.matches('^[0-9AB]{9}$')")]),
    *id_slice("Organization.identifier", "siren", "https://sirene.fr", "SIREN", 0, "1",
              value_inv=inv("dmp-siren-1", "A SIREN number has 9 digits", "$this.matches('^[0-9]{9}$')")),
    *id_slice("Organization.identifier", "siret", "https://sirene.fr", "SIRET", 0, "*",
              value_inv=inv("dmp-siret-1", "A SIRET number has 14 digits", "$this.matches('^[0-9]{14}$')")),
    card("Organization.name", 1)])
sd("dmp-relatedperson", "RelatedPerson", "DMP RelatedPerson",
   "A legal representative (parent, tuteur) of a DMP holder: one identifier (matched against the token), a relationship.",
   [card("RelatedPerson.identifier", 1, "1"), card("RelatedPerson.identifier.system", 1), card("RelatedPerson.identifier.value", 1),
    el("RelatedPerson.patient", type=ref(SD + "dmp-patient")),
    card("RelatedPerson.relationship", 1), card("RelatedPerson.name", 1)])

# ---------------------------------------------------------------- DocumentReference, List

AUTHORS = [SD + "dmp-practitioner", SD + "dmp-practitionerrole", CORE + "Device", SD + "dmp-patient", SD + "dmp-relatedperson"]
sd("dmp-documentreference", "DocumentReference", "DMP DocumentReference (PDSm comprehensive)",
   "A DMP document's metadata (XDS DocumentEntry): PDSm comprehensive constraints, DMP value sets "
   "JDV_J66 (type), JDV_J57 (class), JDV_J58 (confidentiality and TRE_A07 visibility).",
   [slicing("DocumentReference.extension", "url"),
    ext_slice("DocumentReference.extension", "isArchived", ARCHIVED),
    card("DocumentReference.masterIdentifier", 1), card("DocumentReference.masterIdentifier.system", 1),
    card("DocumentReference.masterIdentifier.value", 1),
    card("DocumentReference.type", 1, binding=bind("required", J66)),
    card("DocumentReference.category", 1, "1", binding=bind("required", J57)),
    card("DocumentReference.subject", 1, type=ref(SD + "dmp-patient")),
    card("DocumentReference.date", 1),
    card("DocumentReference.author", 1, type=ref(*AUTHORS)),
    el("DocumentReference.authenticator", type=ref(SD + "dmp-practitioner", SD + "dmp-practitionerrole", SD + "dmp-organization")),
    el("DocumentReference.custodian", type=ref(SD + "dmp-organization")),
    card("DocumentReference.securityLabel", 1, "4", binding=bind(
        "extensible", J58, "TRE_A08 N/R/V and TRE_A07 visibility flags; v3-Confidentiality and the misspelt "
        "TRE_A07-StatusVisibiliteDocument system pass (other systems) and are normalised by the store")),
    card("DocumentReference.content.attachment.contentType", 1),
    card("DocumentReference.content.attachment.size", 1),
    card("DocumentReference.content.attachment.hash", 1),
    card("DocumentReference.content.attachment.title", 1),
    card("DocumentReference.content.format", 1, binding=bind("extensible", J60, "JDV_J60 (codes not loaded: not checked)")),
    card("DocumentReference.context", 1),
    card("DocumentReference.context.period", 1), card("DocumentReference.context.period.start", 1),
    card("DocumentReference.context.facilityType", 1), card("DocumentReference.context.practiceSetting", 1),
    el("DocumentReference.context.sourcePatientInfo", type=ref(SD + "dmp-patient"))])
sd("dmp-list-submissionset", "List", "DMP SubmissionSet (PDSm comprehensive)",
   "The List of an ITI-65 submission: MHD submissionset code, designationType, sourceId, uniqueId, source, subject.",
   [slicing("List.extension", "url", min=2),
    ext_slice("List.extension", "designationType", DESIGNATION, 1, "1"),
    ext_slice("List.extension", "sourceId", SOURCE_ID, 1, "1"),
    ext_slice("List.extension", "isArchived", ARCHIVED),
    card("List.identifier", 2),
    card("List.status", fixedCode="current"), card("List.mode", fixedCode="working"),
    card("List.code", 1, patternCodeableConcept=type_cc("submissionset", "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes")),
    card("List.subject", 1, type=ref(SD + "dmp-patient")), card("List.date", 1),
    card("List.source", 1, type=ref(SD + "dmp-practitionerrole", SD + "dmp-practitioner", CORE + "Device", SD + "dmp-patient")),
    el("List.entry.item", type=ref("DocumentReference", "List"))])

sd("dmp-list-folder", "List", "DMP Folder (PDSm comprehensive)",
   "A folder List (MHD folder code): designationType, uniqueId, subject, date and at least one DocumentReference.",
   [slicing("List.extension", "url", min=1),
    ext_slice("List.extension", "designationType", DESIGNATION, 1, "1"),
    ext_slice("List.extension", "isArchived", ARCHIVED),
    card("List.identifier", 1),
    card("List.status", fixedCode="current"), card("List.mode", fixedCode="working"),
    card("List.code", 1, patternCodeableConcept=type_cc("folder", "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes")),
    card("List.subject", 1, type=ref(SD + "dmp-patient")), card("List.date", 1),
    card("List.entry", 1), el("List.entry.item", type=ref("DocumentReference"))])

# ---------------------------------------------------------------- Consent

sd("dmp-consent", "Consent", "DMP access Consent",
   "A DMP holder's access decision (access-rules.md): authorisation (permit, actor = professional or organisation), "
   "block (deny, actor = professional) or emergency opposition (deny, purpose ETREAT or BTG, no actor).",
   [el("Consent", constraint=[
       inv("dmp-consent-1", "A permit names the professional or organisation it authorises, and no purpose",
           "provision.type = 'permit' implies (provision.actor.exists() and provision.purpose.empty())"),
       inv("dmp-consent-2", "A deny names either professionals (block) or emergency purposes (emergency opposition)",
           "provision.type = 'deny' implies (provision.actor.exists() or provision.purpose.exists())")]),
    card("Consent.scope", patternCodeableConcept=type_cc("patient-privacy", "http://terminology.hl7.org/CodeSystem/consentscope")),
    card("Consent.category", 1),
    card("Consent.patient", 1, type=ref(SD + "dmp-patient")),
    card("Consent.provision", 1),
    card("Consent.provision.type", 1, binding=bind("required", VS + "dmp-vs-consent-provision-type")),
    el("Consent.provision.actor.reference", type=ref(SD + "dmp-practitioner", SD + "dmp-practitionerrole", SD + "dmp-organization")),
    el("Consent.provision.purpose", binding=bind("required", VS + "dmp-vs-emergency-purpose")),
    card("Consent.provision.provision", hi="0")])

# ---------------------------------------------------------------- clinical, audit

sd("dmp-allergyintolerance", "AllergyIntolerance", "DMP AllergyIntolerance",
   "An allergy or intolerance in the DMP (FR Core ci-build: code 1..1, onsetPeriod.start, one note per reaction).",
   [el("AllergyIntolerance", constraint=[inv("dmp-allergy-1", "An onset period has a start", "onset.ofType(Period).all(start.exists())")]),
    card("AllergyIntolerance.code", 1), el("AllergyIntolerance.patient", type=ref(SD + "dmp-patient")),
    card("AllergyIntolerance.reaction.note", hi="1")])
sd("dmp-medicationstatement", "MedicationStatement", "DMP MedicationStatement",
   "A medication taken (bilans et conciliations médicamenteuses; FR Core ci-build).",
   [el("MedicationStatement.subject", type=ref(SD + "dmp-patient")),
    card("MedicationStatement.effective[x]", type=[{"code": "Period"}]),
    el("MedicationStatement.reasonReference", type=ref("Condition", "Observation")),
    card("MedicationStatement.note", hi="1")])
sd("dmp-auditevent", "AuditEvent", "DMP AuditEvent (TdE)",
   "A trace of an access to a DMP (Traçabilité des événements): one subtype, a start, one or two agents with who.",
   [card("AuditEvent.subtype", hi="1"), card("AuditEvent.period", 1), card("AuditEvent.period.start", 1),
    card("AuditEvent.agent", hi="2"), card("AuditEvent.agent.who", 1),
    el("AuditEvent.source.observer", type=ref("Device", SD + "dmp-practitioner", SD + "dmp-practitionerrole",
                                                   SD + "dmp-relatedperson", SD + "dmp-organization", SD + "dmp-patient"))])

for rel, res in OUT.items():
    path = os.path.join("profiles", rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)
        f.write("\n")
print(len(OUT), "files")
