use serde_json::json;

use crate::common::{json, patient, start};

#[tokio::test]
async fn read_returns_the_current_version() {
    let s = start().await;
    let p = s.create(&patient("2")).await;
    let r = s
        .get(&format!("Patient/{}", p["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "W/\"1\"");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/fhir+json")
    );
    assert_eq!(json(r).await, p);
}

#[tokio::test]
async fn read_returns_404_for_unknown_id_and_type() {
    let s = start().await;
    assert_eq!(s.get("Patient/nope").await.status(), 404);
    let r = s.get("Patientt/1").await;
    assert_eq!(r.status(), 404);
    assert_eq!(json(r).await["issue"][0]["code"], "not-found");
}

#[tokio::test]
async fn read_returns_410_for_deleted_resource() {
    let s = start().await;
    let p = s.create(&patient("3")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    assert_eq!(s.delete(&path).await.status(), 204);
    let r = s.get(&path).await;
    assert_eq!(r.status(), 410);
    assert_eq!(json(r).await["issue"][0]["code"], "deleted");
}

#[tokio::test]
async fn read_with_an_invalid_id_is_400() {
    let s = start().await;
    assert_eq!(s.get("Patient/a_b").await.status(), 400);
    assert_eq!(
        s.get(&format!("Patient/{}", "x".repeat(65))).await.status(),
        400
    );
}

#[tokio::test]
async fn vread_returns_each_version_and_410_for_the_deletion() {
    let s = start().await;
    let r = s
        .put(
            "Patient/v1",
            &json!({"resourceType": "Patient", "id": "v1", "active": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    s.put(
        "Patient/v1",
        &json!({"resourceType": "Patient", "id": "v1", "active": false}),
    )
    .await;
    s.delete("Patient/v1").await;
    let v1 = json(s.get("Patient/v1/_history/1").await).await;
    assert_eq!(v1["active"], true);
    let v2 = s.get("Patient/v1/_history/2").await;
    assert_eq!(v2.headers()["etag"], "W/\"2\"");
    assert_eq!(json(v2).await["active"], false);
    assert_eq!(s.get("Patient/v1/_history/3").await.status(), 410);
    assert_eq!(s.get("Patient/v1/_history/4").await.status(), 404);
    assert_eq!(s.get("Patient/v1/_history/x").await.status(), 400);
}
