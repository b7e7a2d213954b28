use serde_json::json;

use crate::common::{json, start};

#[tokio::test]
async fn batch_runs_entries_independently_and_reports_each_status() {
    let s = start().await;
    let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": {"resourceType": "Patient", "id": "b1"}, "request": {"method": "PUT", "url": "Patient/b1"}},
        {"request": {"method": "GET", "url": "Patient/missing"}},
        {"resource": {"resourceType": "Observation"}, "request": {"method": "POST", "url": "Patient"}},
        {"request": {"method": "GET", "url": "Patient/b1"}}
    ]});
    let r = s.post("", &bundle).await;
    assert_eq!(r.status(), 200);
    let b = json(r).await;
    assert_eq!(b["type"], "batch-response");
    let statuses: Vec<_> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses,
        ["201 Created", "404 Not Found", "400 Bad Request", "200 OK"]
    );
    assert_eq!(
        b["entry"][1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );
    assert_eq!(s.get("Patient/b1").await.status(), 200);
}

#[tokio::test]
async fn a_bundle_of_another_type_is_400() {
    let s = start().await;
    let r = s
        .post("", &json!({"resourceType": "Bundle", "type": "collection"}))
        .await;
    assert_eq!(r.status(), 400);
    let r = s.post("", &json!({"resourceType": "Patient"})).await;
    assert_eq!(r.status(), 400);
}
