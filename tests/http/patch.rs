use serde_json::json;

use crate::common::{json, patient, start};

async fn send_patch(
    s: &crate::common::TestServer,
    path: &str,
    ops: serde_json::Value,
) -> reqwest::Response {
    s.http
        .patch(s.url(path))
        .header("content-type", "application/json-patch+json")
        .json(&ops)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn json_patch_writes_a_new_version() {
    let s = start().await;
    let p = s.create(&patient("10")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    let r = send_patch(
        &s,
        &path,
        json!([{"op": "replace", "path": "/gender", "value": "male"},
        {"op": "add", "path": "/active", "value": true}]),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "W/\"2\"");
    let body = json(r).await;
    assert_eq!(body["gender"], "male");
    assert_eq!(body["active"], true);
    let history = json(s.get(&format!("{path}/_history")).await).await;
    assert_eq!(history["entry"][0]["request"]["method"], "PATCH");
}

#[tokio::test]
async fn a_failing_patch_is_422_and_changes_nothing() {
    let s = start().await;
    let p = s.create(&patient("11")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    let r = send_patch(&s, &path, json!([{"op": "remove", "path": "/nothing"}])).await;
    assert_eq!(r.status(), 422);
    assert_eq!(json(r).await["issue"][0]["expression"][0], "operation[0]");
    let r = send_patch(
        &s,
        &path,
        json!([{"op": "replace", "path": "/id", "value": "x"}]),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(json(s.get(&path).await).await["meta"]["versionId"], "1");
}

#[tokio::test]
async fn patch_with_a_resource_body_is_415() {
    let s = start().await;
    let p = s.create(&patient("12")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    let r = s
        .http
        .patch(s.url(&path))
        .header("content-type", "application/fhir+json")
        .json(&patient("12"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
}

#[tokio::test]
async fn conditional_patch_patches_the_single_match() {
    let s = start().await;
    s.create(&patient("13")).await;
    let r = send_patch(
        &s,
        "Patient?identifier=urn:oid:1.2.250.1.213.1.4.10|13",
        json!([{"op": "add", "path": "/active", "value": false}]),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = send_patch(
        &s,
        "Patient?identifier=urn:oid:1.2.250.1.213.1.4.10|none",
        json!([{"op": "add", "path": "/active", "value": false}]),
    )
    .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn fhirpath_patch_replaces_adds_and_deletes() {
    let s = start().await;
    let p = s.create(&patient("14")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    let params = json!({"resourceType": "Parameters", "parameter": [
        {"name": "operation", "part": [{"name": "type", "valueCode": "replace"},
            {"name": "path", "valueString": "Patient.gender"}, {"name": "value", "valueCode": "other"}]},
        {"name": "operation", "part": [{"name": "type", "valueCode": "add"},
            {"name": "path", "valueString": "Patient"}, {"name": "name", "valueString": "active"},
            {"name": "value", "valueBoolean": true}]},
        {"name": "operation", "part": [{"name": "type", "valueCode": "delete"},
            {"name": "path", "valueString": "Patient.birthDate"}]}]});
    let r = s
        .http
        .patch(s.url(&path))
        .header("content-type", "application/fhir+json")
        .json(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = json(r).await;
    assert_eq!(body["gender"], "other");
    assert_eq!(body["active"], true);
    assert!(body.get("birthDate").is_none());
    let bad = json!({"resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
        {"name": "type", "valueCode": "replace"}, {"name": "path", "valueString": "Patient.name.given"},
        {"name": "value", "valueString": "x"}]}]});
    let r = s
        .http
        .patch(s.url(&path))
        .header("content-type", "application/fhir+json")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a single given name is one element");
    let r = s.http.patch(s.url(&path)).header("content-type", "application/fhir+json")
        .json(&json!({"resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
            {"name": "type", "valueCode": "replace"}, {"name": "path", "valueString": "Patient.telecom"},
            {"name": "value", "valueString": "x"}]}]})).send().await.unwrap();
    assert_eq!(r.status(), 422, "replacing nothing fails");
}
