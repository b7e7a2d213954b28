//! The access trail: every request leaves an AuditEvent the patient can search, denied attempts
//! included; emergency accesses are flagged and notified.

use serde_json::Value;

use crate::common::{json, start};

use super::population::{CARDIO, GP, NURSE, SAMU, build, pro, search};

async fn trail(s: &crate::common::TestServer, c: &reqwest::Client) -> Vec<Value> {
    let r = c
        .get(s.url("AuditEvent?patient=Patient/p1&date=ge2020-01-01&_count=200"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    json(r).await["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e["resource"].clone())
        .collect()
}

fn by(events: &[Value], idnps: &str) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e["agent"][0]["who"]["identifier"]["value"] == idnps)
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_patient_reads_every_access_to_their_record_denials_included() {
    let s = start().await;
    let record = build(&s).await;
    let gp = pro(&s, GP, "normal");
    assert_eq!(
        gp.get(s.url("DocumentReference/d-plain"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let cardio = pro(&s, CARDIO, "normal");
    assert_eq!(
        cardio
            .get(s.url("Observation/o1"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    let events = trail(&s, &holder).await;
    let read = by(&events, GP.1);
    assert!(
        read.iter().any(|e| e["outcome"] == "0"
            && e["subtype"][0]["code"] == "read"
            && e["entity"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["what"]["reference"] == "DocumentReference/d-plain")),
        "{read:?}"
    );
    let denied = by(&events, CARDIO.1);
    assert!(denied.iter().any(|e| e["outcome"] == "4"), "{denied:?}");
    let rep = s.client(&s.token(&["--representative", "rp1"]));
    assert!(!trail(&s, &rep).await.is_empty());
    let (ids, total) = search(&s, &gp, "AuditEvent?patient=Patient/p1&_total=accurate").await;
    assert_eq!(
        (ids.len(), total),
        (0, 0),
        "professionals do not read the trail"
    );
}

#[tokio::test]
async fn emergency_access_is_flagged_and_notified() {
    let s = start().await;
    let record = build(&s).await;
    let samu = pro(&s, SAMU, "regulation");
    let r = samu.get(s.url("Observation/o1")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-carnet-emergency-access"], "regulation");
    let gp = pro(&s, GP, "normal");
    let r = gp.get(s.url("Observation/o1")).send().await.unwrap();
    assert!(r.headers().get("x-carnet-emergency-access").is_none());
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    let (notices, _) = search(&s, &holder, "Communication?subject=Patient/p1").await;
    assert_eq!(notices.len(), 1, "one notice for the one emergency access");
    let (seen_by_gp, _) = search(&s, &gp, "Communication?subject=Patient/p1").await;
    assert_eq!(seen_by_gp, notices, "the médecin traitant reads it too");
    let (seen_by_nurse, _) = search(
        &s,
        &pro(&s, NURSE, "normal"),
        "Communication?subject=Patient/p1",
    )
    .await;
    assert!(
        seen_by_nurse.is_empty(),
        "other professionals do not learn of emergency accesses"
    );
    let events = trail(&s, &holder).await;
    let e = by(&events, SAMU.1);
    assert!(
        e.iter()
            .any(|e| e["purposeOfEvent"][0]["coding"][0]["code"] == "BTG"),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_write_carries_its_one_audit_event_naming_the_record_it_wrote_into() {
    let s = start().await;
    let record = build(&s).await;
    let gp = pro(&s, GP, "normal");
    let obs = serde_json::json!({"resourceType": "Observation", "status": "final",
        "code": {"text": "poids"}, "subject": {"reference": "Patient/p1"}});
    let r = gp
        .post(s.url("Observation"))
        .json(&obs)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = json(r).await["id"].as_str().unwrap().to_owned();
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    // The record comes from the write's own facts: the event is committed with the write.
    let events = trail(&s, &holder).await;
    let created: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["entity"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["what"]["reference"] == format!("Observation/{id}"))
        })
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["subtype"][0]["code"], "create");
    assert_eq!(created[0]["action"], "C");
    assert_eq!(created[0]["outcome"], "0");
}

#[tokio::test]
async fn a_search_names_what_it_answered_and_is_filed_under_their_record() {
    let s = start().await;
    let record = build(&s).await;
    let gp = pro(&s, GP, "normal");
    // No patient parameter: the record comes from the matches alone.
    let (ids, _) = search(&s, &gp, "DocumentReference?_id=d-plain").await;
    assert_eq!(ids, super::population::set(&["d-plain"]));
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    let events = by(&trail(&s, &holder).await, GP.1);
    assert!(
        events
            .iter()
            .any(|e| e["subtype"][0]["code"] == "search-type"
                && e["entity"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["what"]["reference"] == "DocumentReference/d-plain")),
        "{events:?}"
    );
}
