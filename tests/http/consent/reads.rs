//! Visibility on the read paths: search (with totals and paging), read, vread, history, includes,
//! chains, `_has`, Binary content.

use serde_json::json;

use crate::common::{TestServer, json, start};

use super::population::{
    ALL_DOCS, BLOCKED, CARDIO, DENTIST, GP, NURSE, PHARMA, SAMU, build, pro, search, set, status,
};

const DOCS: &str = "DocumentReference?patient=Patient/p1&_total=accurate&_count=50";

fn all_but(hidden: &[&str]) -> std::collections::BTreeSet<String> {
    ALL_DOCS
        .iter()
        .filter(|d| !hidden.contains(d))
        .map(|d| (*d).to_owned())
        .collect()
}

async fn docs_of(s: &TestServer, c: &reqwest::Client) -> std::collections::BTreeSet<String> {
    let (ids, total) = search(s, c, DOCS).await;
    assert_eq!(
        total,
        ids.len() as i64,
        "the total counts visible documents only"
    );
    ids
}

#[tokio::test]
async fn the_medecin_traitant_sees_every_document_masked_ones_included() {
    let s = start().await;
    build(&s).await;
    let gp = pro(&s, GP, "normal");
    assert_eq!(docs_of(&s, &gp).await, set(&ALL_DOCS));
    assert_eq!(status(&s, &gp, "Consent/permit-pharma").await, 200);
    assert_eq!(status(&s, &gp, "Binary/bin-d-masked").await, 200);
}

#[tokio::test]
async fn without_authorisation_a_professional_sees_the_patient_but_nothing_of_the_record() {
    let s = start().await;
    build(&s).await;
    let cardio = pro(&s, CARDIO, "normal");
    assert_eq!(status(&s, &cardio, "Patient/p1").await, 200);
    assert_eq!(docs_of(&s, &cardio).await, set(&[]));
    // Even the document they wrote: the record itself is closed to them (rule 6).
    assert_eq!(status(&s, &cardio, "DocumentReference/d-plain").await, 404);
    assert_eq!(
        status(&s, &cardio, "DocumentReference/d-plain/_history/1").await,
        404
    );
    assert_eq!(
        status(&s, &cardio, "DocumentReference/d-plain/_history").await,
        404
    );
    assert_eq!(status(&s, &cardio, "Observation/o1").await, 404);
    assert_eq!(status(&s, &cardio, "Binary/bin-d-plain").await, 404);
    let (ids, _) = search(
        &s,
        &cardio,
        "Patient?_revinclude=DocumentReference:subject&_id=p1",
    )
    .await;
    assert_eq!(ids, set(&["p1"]), "revinclude reveals no hidden document");
    let (ids, total) = search(
        &s,
        &cardio,
        "Patient?_has:DocumentReference:subject:type=11488-4&_total=accurate",
    )
    .await;
    assert_eq!(
        (ids.len(), total),
        (0, 0),
        "_has is evaluated over visible documents only"
    );
    let (ids, _) = search(&s, &cardio, "DocumentReference/_history").await;
    assert!(
        ids.is_empty(),
        "type history shows no hidden version: {ids:?}"
    );
}

#[tokio::test]
async fn authorised_professionals_see_what_the_matrix_allows_unmasked() {
    let s = start().await;
    build(&s).await;
    let pharma = pro(&s, PHARMA, "normal");
    assert_eq!(
        docs_of(&s, &pharma).await,
        all_but(&["d-masked", "d-unknown-type"])
    );
    assert_eq!(status(&s, &pharma, "DocumentReference/d-masked").await, 404);
    assert_eq!(status(&s, &pharma, "Binary/bin-d-masked").await, 404);
    assert_eq!(status(&s, &pharma, "Binary/bin-d-plain").await, 200);
    assert_eq!(status(&s, &pharma, "Consent/permit-pharma").await, 404);
    let nurse = pro(&s, NURSE, "normal");
    assert_eq!(
        docs_of(&s, &nurse).await,
        all_but(&["d-masked", "d-unknown-type", "d-psy"])
    );
    let dentist = pro(&s, DENTIST, "normal");
    assert_eq!(
        docs_of(&s, &dentist).await,
        all_but(&["d-masked", "d-unknown-type", "d-psy"])
    );
    assert_eq!(status(&s, &nurse, "Observation/o1").await, 200);
    assert_eq!(
        status(&s, &nurse, "Observation/o2").await,
        404,
        "p2 gave no authorisation"
    );
}

#[tokio::test]
async fn a_blocked_professional_sees_nothing_even_in_emergency() {
    let s = start().await;
    build(&s).await;
    for mode in ["normal", "bris-de-glace", "regulation"] {
        let blocked = pro(&s, BLOCKED, mode);
        assert_eq!(docs_of(&s, &blocked).await, set(&[]), "mode {mode}");
        assert_eq!(status(&s, &blocked, "Observation/o1").await, 404);
    }
}

#[tokio::test]
async fn emergency_modes_open_the_record_unless_the_patient_opposed() {
    let s = start().await;
    build(&s).await;
    let samu = pro(&s, SAMU, "regulation");
    assert_eq!(docs_of(&s, &samu).await, all_but(&["d-masked"]));
    let cardio = pro(&s, CARDIO, "bris-de-glace");
    assert_eq!(docs_of(&s, &cardio).await, all_but(&["d-masked"]));
    let opposition = json!({"resourceType": "Consent", "id": "oppose", "status": "active",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": "Patient/p1"}, "policyRule": {"text": "DMP"},
        "provision": {"type": "deny", "purpose": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "BTG"}]}});
    assert!(
        s.put("Consent/oppose", &opposition)
            .await
            .status()
            .is_success()
    );
    assert_eq!(docs_of(&s, &samu).await, set(&[]));
    assert_eq!(docs_of(&s, &cardio).await, set(&[]));
    // Deleting the opposition gives emergency access back.
    assert_eq!(s.delete("Consent/oppose").await.status(), 204);
    assert_eq!(docs_of(&s, &samu).await, all_but(&["d-masked"]));
}

#[tokio::test]
async fn the_holder_and_the_representative_see_their_record_minus_their_labels() {
    let s = start().await;
    let record = build(&s).await;
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    assert_eq!(docs_of(&s, &holder).await, all_but(&["d-recent-hidden"]));
    assert_eq!(status(&s, &holder, "Patient/p2").await, 404);
    assert_eq!(status(&s, &holder, "Observation/o2").await, 404);
    assert_eq!(status(&s, &holder, "Consent/permit-pharma").await, 200);
    let (ids, _) = search(&s, &holder, "Patient").await;
    assert_eq!(ids, set(&["p1"]));
    let rep = s.client(&s.token(&["--representative", "rp1"]));
    assert_eq!(
        docs_of(&s, &rep).await,
        all_but(&["d-recent-hidden", "d-not-reps"])
    );
    let other = s.client(&s.token(&["--patient", &record.other_ins]));
    assert_eq!(docs_of(&s, &other).await, set(&[]));
}

#[tokio::test]
async fn a_closed_record_is_closed_to_professionals_not_to_the_patient() {
    let s = start().await;
    let record = build(&s).await;
    let mut p1 = json(s.get("Patient/p1").await).await;
    p1["active"] = json!(false);
    assert!(s.put("Patient/p1", &p1).await.status().is_success());
    let gp = pro(&s, GP, "normal");
    assert_eq!(docs_of(&s, &gp).await, set(&[]));
    assert_eq!(status(&s, &gp, "Patient/p1").await, 200);
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    assert_eq!(docs_of(&s, &holder).await, all_but(&["d-recent-hidden"]));
}

#[tokio::test]
async fn paging_counts_and_chains_see_only_visible_documents() {
    let s = start().await;
    let record = build(&s).await;
    let nurse = pro(&s, NURSE, "normal");
    let (_, total) = search(
        &s,
        &nurse,
        "DocumentReference?patient=Patient/p1&_summary=count",
    )
    .await;
    assert_eq!(total, 4);
    let mut seen = Vec::new();
    let mut url = s.url("DocumentReference?patient=Patient/p1&_count=2&_sort=-date");
    loop {
        let b = json(nurse.get(&url).send().await.unwrap()).await;
        for e in b["entry"].as_array().into_iter().flatten() {
            seen.push(e["resource"]["id"].as_str().unwrap().to_owned());
        }
        match b["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
        {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        vec!["d-not-reps", "d-old-hidden", "d-plain", "d-recent-hidden"]
    );
    let chained = format!(
        "DocumentReference?subject.identifier=urn:oid:1.2.250.1.213.1.4.10|{}&_total=accurate",
        record.ins
    );
    let (ids, total) = search(&s, &nurse, &chained).await;
    assert_eq!((ids.len(), total), (4, 4));
    let (ids, _) = search(
        &s,
        &nurse,
        "DocumentReference?patient=Patient/p1&_include=DocumentReference:author",
    )
    .await;
    assert!(ids.contains("cardio") && !ids.contains("d-masked"));
}

#[tokio::test]
async fn patient_everything_answers_only_what_is_visible() {
    let s = start().await;
    build(&s).await;
    let nurse = pro(&s, NURSE, "normal");
    let (ids, _) = search(&s, &nurse, "Patient/p1/$everything?_count=100").await;
    assert!(
        ids.contains("p1") && ids.contains("o1") && ids.contains("d-plain"),
        "{ids:?}"
    );
    assert!(!ids.contains("d-masked") && !ids.contains("d-psy") && !ids.contains("o2"));
    assert!(!ids.contains("permit-nurse"), "Consents are not for nurses");
    let cardio = pro(&s, CARDIO, "normal");
    let (ids, _) = search(&s, &cardio, "Patient/p1/$everything").await;
    assert_eq!(ids, set(&["p1"]));
}

#[tokio::test]
async fn list_entries_follow_the_documents_they_name() {
    let s = start().await;
    build(&s).await;
    let list = json!({"resourceType": "List", "id": "ss1", "status": "current", "mode": "working",
        "subject": {"reference": "Patient/p1"},
        "entry": [{"item": {"reference": "DocumentReference/d-plain"}},
                  {"item": {"reference": "DocumentReference/d-masked"}}]});
    assert!(s.put("List/ss1", &list).await.status().is_success());
    let entries = |v: serde_json::Value| v["entry"].as_array().map_or(0, Vec::len);
    let pharma = pro(&s, PHARMA, "normal");
    let read = json(pharma.get(s.url("List/ss1")).send().await.unwrap()).await;
    assert_eq!(entries(read.clone()), 1, "{read}");
    assert_eq!(
        read["entry"][0]["item"]["reference"],
        "DocumentReference/d-plain"
    );
    let found = json(
        pharma
            .get(s.url("List?subject=Patient/p1"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(entries(found["entry"][0]["resource"].clone()), 1);
    let gp = pro(&s, GP, "normal");
    let read = json(gp.get(s.url("List/ss1")).send().await.unwrap()).await;
    assert_eq!(entries(read), 2);
}

#[tokio::test]
async fn system_level_search_and_history_hide_the_same() {
    let s = start().await;
    build(&s).await;
    let cardio = pro(&s, CARDIO, "normal");
    let (ids, _) = search(
        &s,
        &cardio,
        "?_type=DocumentReference,Observation,Consent&_count=100",
    )
    .await;
    assert!(ids.is_empty(), "{ids:?}");
    let (ids, _) = search(&s, &cardio, "_history?_count=1000").await;
    assert!(
        !ids.iter()
            .any(|id| id.starts_with("d-") || id.starts_with("o") || id.starts_with("permit")),
        "{ids:?}"
    );
    assert!(
        ids.contains("p1") && ids.contains("gp"),
        "Patients and directories stay visible"
    );
    let nurse = pro(&s, NURSE, "normal");
    let (ids, _) = search(&s, &nurse, "?_type=DocumentReference&_count=100").await;
    assert_eq!(ids, all_but(&["d-masked", "d-unknown-type", "d-psy"]));
}
