//! Fact extraction from FHIR JSON.

use serde_json::{Value, json};

use super::personas::*;
use super::*;

const NIR: &str = "urn:oid:1.2.250.1.213.1.4.8";

fn patient_json() -> Value {
    json!({
        "resourceType": "Patient", "id": "p1",
        "identifier": [
            {"use": "official", "system": NIR, "value": "277076322082910"},
            {"use": "old", "system": NIR, "value": "188017512345678"}
        ],
        "generalPractitioner": [{"reference": "#gp"}],
        "contained": [{"resourceType": "Practitioner", "id": "gp",
            "identifier": [{"system": IDNPS_SYSTEM, "value": MT}]}]
    })
}

fn consent(kind: &str, actor: Value, extra: Value) -> Value {
    let mut c = json!({
        "resourceType": "Consent", "status": "active",
        "patient": {"reference": "Patient/p1"},
        "provision": {"type": kind, "actor": [{"reference": actor}]}
    });
    if let (Some(p), Some(e)) = (c["provision"].as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    c
}

fn related() -> Vec<Value> {
    vec![
        json!({"resourceType": "Practitioner", "id": "cardio",
            "identifier": [{"system": IDNPS_SYSTEM, "value": CARDIO}]}),
        json!({"resourceType": "Organization", "id": "chu",
            "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.2", "value": "1750000000"}]}),
    ]
}

#[test]
fn record_facts_from_patient_consents_and_references() {
    let consents = vec![
        consent(
            "permit",
            json!({"reference": "Practitioner/cardio"}),
            json!({}),
        ),
        consent(
            "permit",
            json!({"reference": "Organization/chu"}),
            json!({}),
        ),
        consent(
            "deny",
            json!({"identifier": {"system": IDNPS_SYSTEM, "value": BLOCKED}}),
            json!({}),
        ),
        consent(
            "deny",
            json!({"reference": "Practitioner/cardio"}),
            json!({
            "period": {"end": "2025-12"}}),
        ),
        json!({"resourceType": "Consent", "status": "active", "patient": {"reference": "Patient/p1"},
            "provision": {"type": "deny", "purpose": [
                {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "BTG"}]}}),
    ];
    let r = RecordFacts::from_resources(&patient_json(), &consents, &related()).unwrap();
    assert_eq!(r.patient, vec![holder_ins()]);
    assert!(!r.closed);
    assert!(r.is_medecin_traitant(&medecin_traitant()));
    assert!(r.authorises(&cardiologist(), now()));
    assert!(!r.blocks(&cardiologist(), now())); // that block ended in December 2025
    assert!(r.blocks(&cardiologist(), day(2025, 12, 31)));
    assert!(r.blocks(&blocked_professional(AccessMode::Normal), now()));
    assert!(r.emergency_opposed(now()));
    let member = Professional {
        organisation: Some(OrgId {
            system: "urn:oid:1.2.250.1.71.4.2.2".into(),
            value: "1750000000".into(),
        }),
        ..stranger(AccessMode::Normal)
    };
    assert!(r.authorises(&member, now()));
}

#[test]
fn record_facts_ignore_inactive_and_foreign_consents_and_read_closure() {
    let mut inactive = consent(
        "permit",
        json!({"reference": "Practitioner/cardio"}),
        json!({}),
    );
    inactive["status"] = json!("inactive");
    let mut foreign = consent(
        "permit",
        json!({"reference": "Practitioner/cardio"}),
        json!({}),
    );
    foreign["patient"] = json!({"reference": "Patient/p2"});
    let mut by_ins = consent(
        "permit",
        json!({"reference": "Practitioner/cardio"}),
        json!({}),
    );
    by_ins["patient"] = json!({"identifier": {"system": NIR, "value": "277076322082910"}});
    let mut p = patient_json();
    p["active"] = json!(false);
    let r = RecordFacts::from_resources(&p, &[inactive, foreign], &related()).unwrap();
    assert!(r.closed && r.consents.is_empty());
    let r = RecordFacts::from_resources(&p, &[by_ins], &related()).unwrap();
    assert!(r.authorises(&cardiologist(), now()));
}

#[test]
fn record_facts_refuse_an_unresolvable_block_and_non_patients() {
    let block = consent(
        "deny",
        json!({"reference": "Practitioner/unknown"}),
        json!({}),
    );
    let err = RecordFacts::from_resources(&patient_json(), &[block], &[]);
    assert!(matches!(err, Err(FactsError::UnresolvedBlock(_))));
    let wrong = RecordFacts::from_resources(&json!({"resourceType": "Practitioner"}), &[], &[]);
    assert_eq!(
        wrong,
        Err(FactsError::WrongResource {
            expected: "Patient"
        })
    );
}

#[test]
fn nested_provision_inherits_type() {
    let c = json!({"resourceType": "Consent", "status": "active", "patient": {"reference": "Patient/p1"},
        "provision": {"type": "deny", "provision": [{"actor": [{"reference": {"reference": "Practitioner/cardio"}}]}]}});
    let r = RecordFacts::from_resources(&patient_json(), &[c], &related()).unwrap();
    assert!(r.blocks(&cardiologist(), now()));
}

#[test]
fn document_facts_from_document_reference() {
    let d = json!({
        "resourceType": "DocumentReference", "status": "current", "date": "2026-01-10T09:00:00+01:00",
        "type": {"coding": [{"system": "http://loinc.org", "code": SYNTHESE_PSY}]},
        "contained": [{"resourceType": "PractitionerRole", "id": "a1", "practitioner": {"reference": "#p"}},
                      {"resourceType": "Practitioner", "id": "p",
                       "identifier": [{"system": IDNPS_SYSTEM, "value": NURSE}]}],
        "author": [{"reference": "#a1"}, {"reference": "Patient/p1"}],
        "securityLabel": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "N"}]},
            {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_A07-StatusVisibiliteDocument/FHIR/TRE-A07-StatusVisibiliteDocument", "code": "MASQUE_PS"}]},
            {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument", "code": "INVISIBLE_PATIENT"}]}
        ]
    });
    let f = DocumentFacts::from_document_reference(&d).unwrap();
    assert_eq!(f.type_code, Some(TypeCode::new(LOINC, SYNTHESE_PSY)));
    assert!(f.is_author(&nurse()) && f.patient_authored);
    assert_eq!(f.labels, [Label::MasquePs, Label::InvisiblePatient].into());
    assert_eq!(f.date, Some(day(2026, 1, 10)));
    // End to end: the nurse author sees it despite matrix and mask.
    assert!(visible(&pro(nurse()), &record(), &f, now()));
}

#[test]
fn document_facts_resolve_referenced_authors_and_reject_other_resources() {
    let d = json!({"resourceType": "DocumentReference", "author": [{"reference": "Practitioner/cardio"}],
        "type": {"coding": [{"system": "urn:other", "code": "x"}, {"system": "http://loinc.org", "code": "11488-4"}]}});
    let f = DocumentFacts::from_document_reference_with(&d, &related()).unwrap();
    assert!(f.is_author(&cardiologist()));
    assert_eq!(f.type_code, Some(TypeCode::new(LOINC, CR_CONSULTATION)));
    assert!(DocumentFacts::from_document_reference(&json!({"resourceType": "Binary"})).is_err());
    let bad_date = json!({"resourceType": "DocumentReference", "date": "yesterday"});
    assert!(matches!(
        DocumentFacts::from_document_reference(&bad_date),
        Err(FactsError::InvalidDate(_))
    ));
}
