use crate::common::{json, patient, start};

#[tokio::test]
async fn delete_is_204_then_reads_410_and_history_records_it() {
    let s = start().await;
    let p = s.create(&patient("20")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    assert_eq!(s.delete(&path).await.status(), 204);
    assert_eq!(s.get(&path).await.status(), 410);
    assert_eq!(
        s.delete(&path).await.status(),
        204,
        "deleting twice changes nothing"
    );
    let h = json(s.get(&format!("{path}/_history")).await).await;
    assert_eq!(h["total"], 2);
    assert_eq!(h["entry"][0]["request"]["method"], "DELETE");
    assert!(h["entry"][0].get("resource").is_none());
}

#[tokio::test]
async fn delete_of_an_unknown_resource_is_204_and_writes_nothing() {
    let s = start().await;
    assert_eq!(s.delete("Patient/never").await.status(), 204);
    assert_eq!(s.get("Patient/never").await.status(), 404);
}

#[tokio::test]
async fn update_after_delete_recreates_with_the_next_version() {
    let s = start().await;
    let body = serde_json::json!({"resourceType": "Patient", "id": "again"});
    s.put("Patient/again", &body).await;
    s.delete("Patient/again").await;
    let r = s.put("Patient/again", &body).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "W/\"3\"");
}
