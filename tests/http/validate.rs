//! `$validate` at type and instance level, and validation on the write path.

use serde_json::json;

use serde_json::Value;

use crate::common::{json, patient, start};

fn valid_patient() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/dmp/valid/patient.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn type_level_validate_answers_an_operation_outcome_and_writes_nothing() {
    let s = start().await;
    let r = s
        .post(
            "Patient/$validate",
            &json!({"resourceType": "Patient", "birthDate": "12/04/1985"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let oo = json(r).await;
    assert_eq!(oo["resourceType"], "OperationOutcome");
    assert!(
        oo["issue"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["severity"] == "error" && i["expression"][0] == "Patient.birthDate")
    );
    let params = json!({"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": valid_patient()},
        {"name": "mode", "valueCode": "create"}]});
    let oo = json(s.post("Patient/$validate", &params).await).await;
    assert!(
        oo["issue"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] != "error"),
        "{oo}"
    );
    assert_eq!(json(s.get("Patient/_history").await).await["total"], 0);
}

#[tokio::test]
async fn instance_level_validate_checks_the_stored_resource() {
    let s = start().await;
    s.put("Patient/camille-test", &valid_patient()).await;
    let r = s.get("Patient/camille-test/$validate").await;
    assert_eq!(r.status(), 200);
    let oo = json(r).await;
    assert!(
        oo["issue"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] != "error"),
        "{oo}"
    );
    assert_eq!(s.get("Patient/none/$validate").await.status(), 404);
}

#[tokio::test]
async fn a_transaction_with_one_invalid_entry_writes_nothing() {
    let s = start().await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("v3"), "request": {"method": "POST", "url": "Patient"}},
        {"resource": {"resourceType": "Patient", "gender": "nope"}, "request": {"method": "POST", "url": "Patient"}}]});
    let r = s.post("", &bundle).await;
    assert_eq!(r.status(), 422);
    let oo = json(r).await;
    assert_eq!(
        oo["issue"][0]["expression"][0],
        "Bundle.entry[1].resource.gender"
    );
    assert_eq!(json(s.get("Patient/_history").await).await["total"], 0);
}
