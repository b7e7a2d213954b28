use serde_json::json;

use crate::common::{json, patient, start};

const INS: &str = "urn:oid:1.2.250.1.213.1.4.10";

async fn post_if_none_exist(
    s: &crate::common::TestServer,
    criteria: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    s.http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+json")
        .header("if-none-exist", criteria)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn conditional_create_creates_once_then_returns_the_existing() {
    let s = start().await;
    let crit = format!("identifier={INS}|30");
    let first = post_if_none_exist(&s, &crit, &patient("30")).await;
    assert_eq!(first.status(), 201);
    let id = json(first).await["id"].clone();
    let second = post_if_none_exist(&s, &crit, &patient("30")).await;
    assert_eq!(second.status(), 200);
    assert_eq!(json(second).await["id"], id);
}

#[tokio::test]
async fn conditional_create_with_several_matches_is_412() {
    let s = start().await;
    s.create(&patient("31")).await;
    s.create(&patient("31")).await;
    let r = post_if_none_exist(&s, "identifier=31", &patient("31")).await;
    assert_eq!(r.status(), 412);
}

#[tokio::test]
async fn conditional_criteria_follow_token_semantics() {
    let s = start().await;
    s.create(&patient("32")).await;
    assert_eq!(
        post_if_none_exist(&s, "identifier=32", &patient("x"))
            .await
            .status(),
        200
    );
    assert_eq!(
        post_if_none_exist(&s, &format!("identifier={INS}|"), &patient("x"))
            .await
            .status(),
        200
    );
    assert_eq!(
        post_if_none_exist(&s, "identifier=|32", &patient("x"))
            .await
            .status(),
        201
    );
    assert_eq!(
        post_if_none_exist(&s, "identifier=nope,32", &patient("x"))
            .await
            .status(),
        200
    );
    let r = post_if_none_exist(&s, "nickname=Test", &patient("x")).await;
    assert_eq!(
        r.status(),
        400,
        "an unsupported criterion is refused, not ignored"
    );
}

#[tokio::test]
async fn conditional_update_creates_updates_or_refuses() {
    let s = start().await;
    let url = format!("Patient?identifier={INS}|33");
    let r = s.put(&url, &patient("33")).await;
    assert_eq!(r.status(), 201);
    let id = json(r).await["id"].clone();
    let mut changed = patient("33");
    changed["active"] = json!(true);
    let r = s.put(&url, &changed).await;
    assert_eq!(r.status(), 200);
    let body = json(r).await;
    assert_eq!(body["id"], id);
    assert_eq!(body["meta"]["versionId"], "2");
    s.create(&patient("33")).await;
    assert_eq!(s.put(&url, &changed).await.status(), 412);
}

#[tokio::test]
async fn conditional_delete_deletes_the_single_match() {
    let s = start().await;
    let p = s.create(&patient("34")).await;
    let r = s.delete(&format!("Patient?identifier={INS}|34")).await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        s.get(&format!("Patient/{}", p["id"].as_str().unwrap()))
            .await
            .status(),
        410
    );
    assert_eq!(
        s.delete(&format!("Patient?identifier={INS}|34"))
            .await
            .status(),
        204
    );
    s.create(&patient("35")).await;
    s.create(&patient("35")).await;
    assert_eq!(s.delete("Patient?identifier=35").await.status(), 412);
}

#[tokio::test]
async fn conditional_matching_by_id() {
    let s = start().await;
    s.put(
        "Patient/byid",
        &json!({"resourceType": "Patient", "id": "byid"}),
    )
    .await;
    let r = post_if_none_exist(&s, "_id=byid", &patient("x")).await;
    assert_eq!(r.status(), 200);
}
