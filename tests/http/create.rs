use serde_json::json;

use crate::common::{json, patient, start};

#[tokio::test]
async fn create_returns_201_with_location_etag_and_last_modified() {
    let s = start().await;
    let r = s.post("Patient", &patient("1850212345678")).await;
    assert_eq!(r.status(), 201);
    let h = r.headers().clone();
    let body = json(r).await;
    let id = body["id"].as_str().unwrap();
    assert_eq!(h["etag"], "W/\"1\"");
    assert!(h.contains_key("last-modified"));
    assert_eq!(
        h["location"].to_str().unwrap(),
        s.url(&format!("Patient/{id}/_history/1"))
    );
    assert_eq!(body["meta"]["versionId"], "1");
    assert!(body["meta"]["lastUpdated"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn create_ignores_a_client_id() {
    let s = start().await;
    let mut p = patient("1");
    p["id"] = json!("mine");
    let body = s.create(&p).await;
    assert_ne!(body["id"], "mine");
}

#[tokio::test]
async fn create_stores_the_json_as_sent() {
    let s = start().await;
    let raw = r#"{"resourceType": "Observation", "status": "final", "code": {"text": "t"},
        "valueQuantity": {"value": 1.50, "unit": "mmol/L"}, "zzz_unknown_order": [1, 2]}"#;
    let r = s
        .http
        .post(s.url("Observation"))
        .header("content-type", "application/fhir+json")
        .body(raw)
        .send()
        .await
        .unwrap();
    let created = json(r).await;
    let read = s
        .get(&format!("Observation/{}", created["id"].as_str().unwrap()))
        .await;
    let text = read.text().await.unwrap();
    assert!(
        text.contains("\"value\":1.50"),
        "decimal kept exactly: {text}"
    );
    assert!(text.find("valueQuantity").unwrap() < text.find("zzz_unknown_order").unwrap());
}

#[tokio::test]
async fn create_with_a_mismatched_resource_type_is_400() {
    let s = start().await;
    let r = s
        .post("Patient", &json!({"resourceType": "Observation"}))
        .await;
    assert_eq!(r.status(), 400);
    let oo = json(r).await;
    assert_eq!(oo["resourceType"], "OperationOutcome");
    assert_eq!(oo["issue"][0]["expression"][0], "resourceType");
}

#[tokio::test]
async fn create_works_for_every_kind_of_resource_type() {
    let s = start().await;
    for ty in [
        "DocumentReference",
        "Consent",
        "AuditEvent",
        "MedicationStatement",
        "AllergyIntolerance",
    ] {
        let r = s.post(ty, &json!({"resourceType": ty})).await;
        assert_eq!(r.status(), 201, "{ty}");
    }
}
