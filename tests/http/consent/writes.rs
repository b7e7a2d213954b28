//! Write decisions: feeding, masking, deletion, Consents, the append-only trail.

use serde_json::{Value, json};

use crate::common::{TestServer, json, start};

use super::population::{A07, BLOCKED, CARDIO, GP, NURSE, PHARMA, build, pro};

fn observation() -> Value {
    json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p1"}})
}

async fn post(s: &TestServer, c: &reqwest::Client, path: &str, body: &Value) -> u16 {
    c.post(s.url(path))
        .header("content-type", "application/fhir+json")
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn put(s: &TestServer, c: &reqwest::Client, path: &str, body: &Value) -> u16 {
    c.put(s.url(path))
        .header("content-type", "application/fhir+json")
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn delete(s: &TestServer, c: &reqwest::Client, path: &str) -> u16 {
    c.delete(s.url(path))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The stored document with `label` added (or all labels removed when `None`).
async fn relabel(s: &TestServer, id: &str, label: Option<&str>) -> Value {
    let mut d = json(s.get(&format!("DocumentReference/{id}")).await).await;
    match label {
        Some(l) => d["securityLabel"] = json!([{"coding": [{"system": A07, "code": l}]}]),
        None => {
            d.as_object_mut().unwrap().remove("securityLabel");
        }
    }
    d
}

#[tokio::test]
async fn feeding_needs_access_to_the_record() {
    let s = start().await;
    build(&s).await;
    assert_eq!(
        post(&s, &pro(&s, NURSE, "normal"), "Observation", &observation()).await,
        201
    );
    assert_eq!(
        post(
            &s,
            &pro(&s, CARDIO, "normal"),
            "Observation",
            &observation()
        )
        .await,
        403
    );
    assert_eq!(
        post(
            &s,
            &pro(&s, BLOCKED, "bris-de-glace"),
            "Observation",
            &observation()
        )
        .await,
        403
    );
    assert_eq!(
        post(
            &s,
            &pro(&s, CARDIO, "bris-de-glace"),
            "Observation",
            &observation()
        )
        .await,
        201
    );
    let mut p1 = json(s.get("Patient/p1").await).await;
    assert_eq!(
        put(&s, &pro(&s, GP, "normal"), "Patient/p1", &p1).await,
        403,
        "only the patient changes the Patient"
    );
    p1["active"] = json!(false);
    assert!(s.put("Patient/p1", &p1).await.status().is_success());
    assert_eq!(
        post(&s, &pro(&s, GP, "normal"), "Observation", &observation()).await,
        403,
        "closed record"
    );
}

#[tokio::test]
async fn masking_by_the_patient_the_author_or_the_medecin_traitant_only() {
    let s = start().await;
    let record = build(&s).await;
    let masked = relabel(&s, "d-plain", Some("MASQUE_PS")).await;
    assert_eq!(
        put(
            &s,
            &pro(&s, PHARMA, "normal"),
            "DocumentReference/d-plain",
            &masked
        )
        .await,
        403
    );
    assert_eq!(
        put(
            &s,
            &pro(&s, CARDIO, "bris-de-glace"),
            "DocumentReference/d-plain",
            &masked
        )
        .await,
        200,
        "the author masks"
    );
    let unmasked = relabel(&s, "d-masked", None).await;
    assert_eq!(
        put(
            &s,
            &pro(&s, NURSE, "normal"),
            "DocumentReference/d-masked",
            &unmasked
        )
        .await,
        404,
        "hidden = unknown"
    );
    assert_eq!(
        put(
            &s,
            &pro(&s, GP, "normal"),
            "DocumentReference/d-masked",
            &unmasked
        )
        .await,
        200
    );
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    let masked = relabel(&s, "d-psy", Some("MASQUE_PS")).await;
    assert_eq!(
        put(&s, &holder, "DocumentReference/d-psy", &masked).await,
        200
    );
    let rep = s.client(&s.token(&["--representative", "rp1"]));
    let unmasked = relabel(&s, "d-psy", None).await;
    assert_eq!(
        put(&s, &rep, "DocumentReference/d-psy", &unmasked).await,
        403
    );
}

#[tokio::test]
async fn only_the_author_deletes_a_document() {
    let s = start().await;
    let record = build(&s).await;
    assert_eq!(
        delete(&s, &pro(&s, GP, "normal"), "DocumentReference/d-plain").await,
        403
    );
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    assert_eq!(delete(&s, &holder, "DocumentReference/d-plain").await, 403);
    assert_eq!(
        delete(&s, &s.http, "DocumentReference/d-plain").await,
        403,
        "administrators neither"
    );
    assert_eq!(
        delete(
            &s,
            &pro(&s, CARDIO, "bris-de-glace"),
            "DocumentReference/d-plain"
        )
        .await,
        204
    );
    // Logical: a new version with status entered-in-error, still there.
    let d = json(s.get("DocumentReference/d-plain").await).await;
    assert_eq!(d["status"], "entered-in-error");
    assert_eq!(d["meta"]["versionId"], "2");
}

#[tokio::test]
async fn a_professional_records_only_an_authorisation_naming_themself() {
    let s = start().await;
    let record = build(&s).await;
    let consent = |id: &str, kind: &str, who: &str| {
        json!({"resourceType": "Consent", "id": id, "status": "active",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
            "patient": {"reference": "Patient/p1"}, "policyRule": {"text": "DMP"},
            "provision": {"type": kind, "actor": [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP"}]},
                "reference": {"reference": format!("Practitioner/{who}")}}]}})
    };
    let cardio = pro(&s, CARDIO, "normal");
    assert_eq!(
        put(
            &s,
            &cardio,
            "Consent/c-nurse",
            &consent("c-nurse", "permit", "nurse")
        )
        .await,
        403
    );
    assert_eq!(
        put(
            &s,
            &cardio,
            "Consent/c-deny",
            &consent("c-deny", "deny", "nurse")
        )
        .await,
        403
    );
    assert_eq!(
        put(
            &s,
            &cardio,
            "Consent/c-self",
            &consent("c-self", "permit", "cardio")
        )
        .await,
        201
    );
    let r = cardio.get(s.url("Observation/o1")).send().await.unwrap();
    assert_eq!(r.status(), 200, "the authorisation opens the record");
    let blocked = pro(&s, BLOCKED, "normal");
    assert_eq!(
        put(
            &s,
            &blocked,
            "Consent/c-b",
            &consent("c-b", "permit", "blocked")
        )
        .await,
        403
    );
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    assert_eq!(
        put(
            &s,
            &holder,
            "Consent/c-block",
            &consent("c-block", "deny", "cardio")
        )
        .await,
        201
    );
    assert_eq!(
        cardio
            .get(s.url("Observation/o1"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_trail_is_append_only_for_everyone() {
    let s = start().await;
    build(&s).await;
    let event = json!({"resourceType": "AuditEvent", "id": "forged",
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
        "recorded": "2026-01-01T00:00:00Z", "agent": [{"requestor": true}],
        "source": {"observer": {"display": "x"}}});
    assert_eq!(put(&s, &s.http, "AuditEvent/forged", &event).await, 403);
    let (ids, _) = super::population::search(&s, &s.http, "AuditEvent?_count=1").await;
    let id = ids.into_iter().next().expect("requests are audited");
    assert_eq!(delete(&s, &s.http, &format!("AuditEvent/{id}")).await, 403);
}
