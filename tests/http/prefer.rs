use crate::common::{json, patient, start};

async fn create_with(s: &crate::common::TestServer, prefer: &str) -> reqwest::Response {
    s.http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+json")
        .header("prefer", prefer)
        .json(&patient("60"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn prefer_return_minimal_answers_no_body() {
    let s = start().await;
    let r = create_with(&s, "return=minimal").await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().contains_key("location"));
    assert!(r.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn prefer_return_operation_outcome_answers_one() {
    let s = start().await;
    let r = create_with(&s, "return=OperationOutcome").await;
    assert_eq!(r.status(), 201);
    assert_eq!(json(r).await["resourceType"], "OperationOutcome");
}

#[tokio::test]
async fn prefer_return_representation_is_the_default() {
    let s = start().await;
    let r = create_with(&s, "return=representation").await;
    assert_eq!(json(r).await["resourceType"], "Patient");
}

#[tokio::test]
async fn prefer_applies_to_transaction_entries() {
    let s = start().await;
    let bundle = serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("61"), "request": {"method": "POST", "url": "Patient"}}]});
    let r = s
        .http
        .post(s.url(""))
        .header("content-type", "application/fhir+json")
        .header("prefer", "return=minimal")
        .json(&bundle)
        .send()
        .await
        .unwrap();
    let b = json(r).await;
    assert!(b["entry"][0].get("resource").is_none());
    assert_eq!(b["entry"][0]["response"]["status"], "201 Created");
}
