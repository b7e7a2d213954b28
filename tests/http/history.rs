use serde_json::json;

use crate::common::{json, start};

#[tokio::test]
async fn instance_history_lists_versions_newest_first_with_paging() {
    let s = start().await;
    for i in 0..5 {
        s.put(
            "Patient/h1",
            &json!({"resourceType": "Patient", "id": "h1", "birthDate": format!("200{i}")}),
        )
        .await;
    }
    let page1 = json(s.get("Patient/h1/_history?_count=2").await).await;
    assert_eq!(page1["type"], "history");
    assert_eq!(page1["total"], 5);
    let versions: Vec<_> = page1["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["meta"]["versionId"].clone())
        .collect();
    assert_eq!(versions, [json!("5"), json!("4")]);
    assert_eq!(page1["entry"][0]["response"]["etag"], "W/\"5\"");
    assert_eq!(page1["entry"][4 - 4]["fullUrl"], s.url("Patient/h1"));
    let mut seen = versions.len();
    let mut next = link(&page1, "next");
    while let Some(url) = next {
        let page = json(s.http.get(&url).send().await.unwrap()).await;
        seen += page["entry"].as_array().map_or(0, Vec::len);
        next = link(&page, "next");
    }
    assert_eq!(seen, 5);
}

fn link(bundle: &serde_json::Value, relation: &str) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == relation)
        .map(|l| l["url"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn type_and_system_history() {
    let s = start().await;
    s.put(
        "Patient/t1",
        &json!({"resourceType": "Patient", "id": "t1"}),
    )
    .await;
    s.put(
        "Observation/o1",
        &json!({"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "t"}}),
    )
    .await;
    s.put(
        "Patient/t1",
        &json!({"resourceType": "Patient", "id": "t1", "active": true}),
    )
    .await;
    let types = json(s.get("Patient/_history").await).await;
    assert_eq!(types["total"], 2);
    let system = json(s.get("_history").await).await;
    assert_eq!(system["total"], 3);
    assert_eq!(system["entry"][0]["request"]["method"], "PUT");
    assert_eq!(system["entry"][2]["response"]["status"], "201 Created");
}

#[tokio::test]
async fn history_since_filters_by_last_updated() {
    let s = start().await;
    s.put(
        "Patient/s1",
        &json!({"resourceType": "Patient", "id": "s1"}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let v2 = json(
        s.put(
            "Patient/s1",
            &json!({"resourceType": "Patient", "id": "s1", "active": true}),
        )
        .await,
    )
    .await;
    let since = v2["meta"]["lastUpdated"].as_str().unwrap();
    let h = json(
        s.http
            .get(s.url("Patient/s1/_history"))
            .query(&[("_since", since)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h["total"], 1);
    assert_eq!(
        s.get("Patient/s1/_history?_since=notadate").await.status(),
        400
    );
    assert_eq!(s.get("Patient/none/_history").await.status(), 404);
}
