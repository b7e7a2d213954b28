use serde_json::json;

use crate::common::{json, patient, start};

const INS: &str = "urn:oid:1.2.250.1.213.1.4.10";

#[tokio::test]
async fn transaction_assigns_ids_and_rewrites_urn_references() {
    let s = start().await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:0b4c7a7e-0000-4000-8000-000000000002",
         "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "t"},
                      "subject": {"reference": "urn:uuid:0b4c7a7e-0000-4000-8000-000000000001"}},
         "request": {"method": "POST", "url": "Observation"}},
        {"fullUrl": "urn:uuid:0b4c7a7e-0000-4000-8000-000000000001", "resource": patient("40"),
         "request": {"method": "POST", "url": "Patient"}}
    ]});
    let r = s.post("", &bundle).await;
    assert_eq!(r.status(), 200);
    let b = json(r).await;
    assert_eq!(b["type"], "transaction-response");
    assert_eq!(b["entry"][0]["response"]["status"], "201 Created");
    let patient_id = b["entry"][1]["resource"]["id"].as_str().unwrap().to_owned();
    let obs_id = b["entry"][0]["resource"]["id"].as_str().unwrap();
    let obs = json(s.get(&format!("Observation/{obs_id}")).await).await;
    assert_eq!(obs["subject"]["reference"], format!("Patient/{patient_id}"));
    assert!(
        b["entry"][1]["response"]["location"]
            .as_str()
            .unwrap()
            .contains(&patient_id)
    );
}

#[tokio::test]
async fn a_failing_entry_fails_the_whole_transaction_and_is_named() {
    let s = start().await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("41"), "request": {"method": "POST", "url": "Patient"}},
        {"resource": {"resourceType": "Patient", "id": "zz"}, "request": {"method": "PUT", "url": "Patient/other"}}
    ]});
    let r = s.post("", &bundle).await;
    assert_eq!(r.status(), 400);
    let oo = json(r).await;
    assert_eq!(
        oo["issue"][0]["expression"][0],
        "Bundle.entry[1].resource.id"
    );
    let h = json(s.get("Patient/_history").await).await;
    assert_eq!(h["total"], 0, "nothing was written");
}

#[tokio::test]
async fn conditional_references_resolve_or_fail_the_transaction() {
    let s = start().await;
    let p = s.create(&patient("42")).await;
    let obs = |reference: &str| {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "t"},
                      "subject": {"reference": reference}},
         "request": {"method": "POST", "url": "Observation"}}]})
    };
    let b = json(
        s.post("", &obs(&format!("Patient?identifier={INS}|42")))
            .await,
    )
    .await;
    assert_eq!(
        b["entry"][0]["resource"]["subject"]["reference"],
        format!("Patient/{}", p["id"].as_str().unwrap())
    );
    let r = s
        .post("", &obs(&format!("Patient?identifier={INS}|nobody")))
        .await;
    assert_eq!(r.status(), 412);
}

#[tokio::test]
async fn if_none_exist_in_a_transaction_reuses_the_match() {
    let s = start().await;
    let existing = s.create(&patient("43")).await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:0b4c7a7e-0000-4000-8000-000000000043", "resource": patient("43"),
         "request": {"method": "POST", "url": "Patient", "ifNoneExist": format!("identifier={INS}|43")}},
        {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "t"},
                      "subject": {"reference": "urn:uuid:0b4c7a7e-0000-4000-8000-000000000043"}},
         "request": {"method": "POST", "url": "Observation"}}
    ]});
    let b = json(s.post("", &bundle).await).await;
    assert_eq!(b["entry"][0]["response"]["status"], "200 OK");
    let want = format!("Patient/{}", existing["id"].as_str().unwrap());
    assert_eq!(b["entry"][1]["resource"]["subject"]["reference"], want);
}

#[tokio::test]
async fn deletes_are_processed_before_creates() {
    let s = start().await;
    s.create(&patient("44")).await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("44"),
         "request": {"method": "POST", "url": "Patient", "ifNoneExist": format!("identifier={INS}|44")}},
        {"request": {"method": "DELETE", "url": format!("Patient?identifier={INS}|44")}}
    ]});
    let b = json(s.post("", &bundle).await).await;
    assert_eq!(b["entry"][0]["response"]["status"], "201 Created");
    assert_eq!(b["entry"][1]["response"]["status"], "204 No Content");
}

#[tokio::test]
async fn writing_the_same_resource_twice_is_refused() {
    let s = start().await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "dup"}, "request": {"method": "PUT", "url": "Patient/dup"}},
        {"resource": {"resourceType": "Patient", "id": "dup"}, "request": {"method": "PUT", "url": "Patient/dup"}}
    ]});
    assert_eq!(s.post("", &bundle).await.status(), 400);
    assert_eq!(s.get("Patient/dup").await.status(), 404);
}
