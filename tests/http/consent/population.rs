//! A small record exercising every access rule, created by the administrator, and the personas'
//! tokens. Fictitious people; INS on the test OID with valid NIR keys.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::common::{TestServer, json};

pub const INS_SYSTEM: &str = "urn:oid:1.2.250.1.213.1.4.10";
pub const IDNPS: &str = "urn:oid:1.2.250.1.71.4.2.1";
pub const A07: &str = "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument";

/// A 15-digit NIR with its key: 97 − (first 13 digits mod 97).
pub fn nir(first13: &str) -> String {
    let n: u64 = first13.parse().unwrap();
    format!("{first13}{:02}", 97 - n % 97)
}

/// The professionals: (name, IDNPS, profession).
pub const GP: (&str, &str, &str) = ("gp", "810000000001", "10");
pub const CARDIO: (&str, &str, &str) = ("cardio", "810000000002", "10");
pub const PHARMA: (&str, &str, &str) = ("pharma", "810000000003", "21");
pub const NURSE: (&str, &str, &str) = ("nurse", "810000000004", "60");
pub const DENTIST: (&str, &str, &str) = ("dentist", "810000000005", "40");
pub const SAMU: (&str, &str, &str) = ("samu", "810000000006", "10");
pub const BLOCKED: (&str, &str, &str) = ("blocked", "810000000007", "10");

pub struct Record {
    pub ins: String,
    pub other_ins: String,
}

fn practitioner(p: (&str, &str, &str)) -> Value {
    json!({"resourceType": "Practitioner", "id": p.0,
        "identifier": [{"system": IDNPS, "value": p.1}], "name": [{"family": format!("{}-FICTIF", p.0.to_uppercase())}]})
}

fn consent(id: &str, provision: Value) -> Value {
    json!({"resourceType": "Consent", "id": id, "status": "active",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": "Patient/p1"}, "policyRule": {"text": "DMP"}, "provision": provision})
}

fn permit(id: &str, who: &str) -> Value {
    consent(
        id,
        json!({"type": "permit", "actor": [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP"}]},
        "reference": {"reference": format!("Practitioner/{who}")}}]}),
    )
}

fn deny(id: &str, who: &str) -> Value {
    let mut c = permit(id, who);
    c["provision"]["type"] = json!("deny");
    c
}

/// A DocumentReference of p1 with a LOINC type, an author, labels and a date.
pub fn document(id: &str, loinc: &str, author: &str, labels: &[&str], date: &str) -> Value {
    let labels: Vec<Value> = labels
        .iter()
        .map(|l| json!({"coding": [{"system": A07, "code": l}]}))
        .collect();
    let mut d = json!({"resourceType": "DocumentReference", "id": id, "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": "Patient/p1"}, "date": format!("{date}T10:00:00+01:00"),
        "author": [{"reference": format!("Practitioner/{author}")}],
        "content": [{"attachment": {"contentType": "text/plain", "url": format!("Binary/bin-{id}")}}]});
    if !labels.is_empty() {
        d["securityLabel"] = json!(labels);
    }
    d
}

pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

/// Creates the record: p1 (médecin traitant `gp`), p2, the professionals, Consents, documents.
pub async fn build(s: &TestServer) -> Record {
    let ins = nir("2850275123456");
    let other_ins = nir("1790375123457");
    for p in [GP, CARDIO, PHARMA, NURSE, DENTIST, SAMU, BLOCKED] {
        put(s, practitioner(p)).await;
    }
    put(s, json!({"resourceType": "Patient", "id": "p1", "identifier": [{"system": INS_SYSTEM, "value": ins}],
        "name": [{"family": "TEST-FICTIF", "given": ["Camille"]}], "gender": "female", "birthDate": "1985-02-14",
        "generalPractitioner": [{"reference": "Practitioner/gp"}]})).await;
    put(s, json!({"resourceType": "Patient", "id": "p2", "identifier": [{"system": INS_SYSTEM, "value": other_ins}],
        "name": [{"family": "AUTRE-FICTIF"}], "gender": "male", "birthDate": "1979-03-01"})).await;
    put(
        s,
        json!({"resourceType": "RelatedPerson", "id": "rp1", "patient": {"reference": "Patient/p1"},
        "name": [{"family": "PARENT-FICTIF"}]}),
    )
    .await;
    for who in ["pharma", "nurse", "dentist", "blocked"] {
        put(s, permit(&format!("permit-{who}"), who)).await;
    }
    put(s, deny("block-blocked", "blocked")).await;
    let old = "2020-01-15";
    let docs = [
        document("d-plain", "11488-4", "cardio", &[], old),
        document("d-masked", "11488-4", "gp", &["MASQUE_PS"], old),
        document("d-psy", "68599-0", "gp", &[], old),
        document(
            "d-recent-hidden",
            "11488-4",
            "gp",
            &["INVISIBLE_PATIENT"],
            &today(),
        ),
        document("d-old-hidden", "11488-4", "gp", &["INVISIBLE_PATIENT"], old),
        document(
            "d-not-reps",
            "11488-4",
            "gp",
            &["INVISIBLE_REPRESENTANTS_LEGAUX"],
            old,
        ),
        document("d-unknown-type", "99999-9", "gp", &[], old),
    ];
    for d in docs {
        let id = d["id"].as_str().unwrap().to_owned();
        put(s, json!({"resourceType": "Binary", "id": format!("bin-{id}"), "contentType": "text/plain", "data": "Q1I="})).await;
        put(s, d).await;
    }
    put(
        s,
        json!({"resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p1"}, "valueQuantity": {"value": 72, "unit": "/min"}}),
    )
    .await;
    put(
        s,
        json!({"resourceType": "Observation", "id": "o2", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p2"}}),
    )
    .await;
    Record { ins, other_ins }
}

/// Every document id of p1.
pub const ALL_DOCS: [&str; 7] = [
    "d-masked",
    "d-not-reps",
    "d-old-hidden",
    "d-plain",
    "d-psy",
    "d-recent-hidden",
    "d-unknown-type",
];

async fn put(s: &TestServer, r: Value) {
    let path = format!(
        "{}/{}",
        r["resourceType"].as_str().unwrap(),
        r["id"].as_str().unwrap()
    );
    let resp = s.put(&path, &r).await;
    let status = resp.status();
    assert!(
        status.is_success(),
        "PUT {path}: {}",
        resp.text().await.unwrap()
    );
}

/// A professional's token.
pub fn pro(s: &TestServer, p: (&str, &str, &str), mode: &str) -> reqwest::Client {
    s.client(&s.token(&["--professional", p.1, "--profession", p.2, "--mode", mode]))
}

/// The ids a search answers (following no links), and its total.
pub async fn search(s: &TestServer, c: &reqwest::Client, query: &str) -> (BTreeSet<String>, i64) {
    let r = c.get(s.url(query)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{query}");
    let b = json(r).await;
    let ids = b["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, b["total"].as_i64().unwrap_or(-1))
}

/// The set of the given ids.
pub fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// Status of a GET.
pub async fn status(s: &TestServer, c: &reqwest::Client, path: &str) -> u16 {
    c.get(s.url(path)).send().await.unwrap().status().as_u16()
}
