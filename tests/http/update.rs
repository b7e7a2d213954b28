use serde_json::json;

use crate::common::{json, start};

#[tokio::test]
async fn update_as_create_then_update_bumps_the_version() {
    let s = start().await;
    let r = s
        .put(
            "Patient/u1",
            &json!({"resourceType": "Patient", "id": "u1"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "W/\"1\"");
    let r = s
        .put(
            "Patient/u1",
            &json!({"resourceType": "Patient", "id": "u1", "active": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "W/\"2\"");
    assert_eq!(json(r).await["meta"]["versionId"], "2");
}

#[tokio::test]
async fn update_with_a_stale_if_match_is_412_and_writes_nothing() {
    let s = start().await;
    s.put(
        "Patient/u2",
        &json!({"resourceType": "Patient", "id": "u2"}),
    )
    .await;
    s.put(
        "Patient/u2",
        &json!({"resourceType": "Patient", "id": "u2", "active": true}),
    )
    .await;
    let stale = s
        .http
        .put(s.url("Patient/u2"))
        .header("content-type", "application/fhir+json")
        .header("if-match", "W/\"1\"")
        .json(&json!({"resourceType": "Patient", "id": "u2", "active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let current = json(s.get("Patient/u2").await).await;
    assert_eq!(current["meta"]["versionId"], "2");
    let fresh = s
        .http
        .put(s.url("Patient/u2"))
        .header("content-type", "application/fhir+json")
        .header("if-match", "W/\"2\"")
        .json(&json!({"resourceType": "Patient", "id": "u2", "active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
}

#[tokio::test]
async fn update_with_a_body_id_other_than_the_url_is_400() {
    let s = start().await;
    let r = s
        .put(
            "Patient/u3",
            &json!({"resourceType": "Patient", "id": "other"}),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = s
        .put("Patient/u3", &json!({"resourceType": "Patient"}))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(s.get("Patient/u3").await.status(), 404);
}

#[tokio::test]
async fn concurrent_updates_lose_nothing() {
    let s = start().await;
    s.put(
        "Patient/race",
        &json!({"resourceType": "Patient", "id": "race"}),
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let http = s.http.clone();
        let url = s.url("Patient/race");
        tasks.push(tokio::spawn(async move {
            http.put(url)
                .header("content-type", "application/fhir+json")
                .json(&json!({"resourceType": "Patient", "id": "race", "birthDate": format!("19{:02}-01-01", 50 + i)}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let current = json(s.get("Patient/race").await).await;
    assert_eq!(current["meta"]["versionId"], "13");
    let history = json(s.get("Patient/race/_history?_count=100").await).await;
    assert_eq!(history["total"], 13);
}

#[tokio::test]
async fn concurrent_updates_committed_together_replace_each_ones_index_rows() {
    let s = std::sync::Arc::new(crate::common::start().await);
    for i in 0..30 {
        let mut p = crate::common::patient(&format!("old-{i}"));
        p["id"] = json!(format!("u{i}"));
        let r = s.put(&format!("Patient/u{i}"), &p).await;
        assert_eq!(r.status(), 201);
    }
    let updates = (0..30).map(|i| {
        let s = s.clone();
        tokio::spawn(async move {
            let mut p = crate::common::patient(&format!("new-{i}"));
            p["id"] = json!(format!("u{i}"));
            s.put(&format!("Patient/u{i}"), &p).await.status()
        })
    });
    for status in futures::future::join_all(updates).await {
        assert_eq!(status.unwrap(), 200);
    }
    for i in 0..30 {
        let system = "urn:oid:1.2.250.1.213.1.4.10";
        let new =
            crate::common::json(s.get(&format!("Patient?identifier={system}|new-{i}")).await).await;
        assert_eq!(new["total"], 1, "{new}");
        assert_eq!(new["entry"][0]["resource"]["id"], format!("u{i}"));
        let old =
            crate::common::json(s.get(&format!("Patient?identifier={system}|old-{i}")).await).await;
        assert_eq!(old["total"], 0, "{old}");
    }
}
