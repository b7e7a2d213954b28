use crate::common::{json, start};

#[tokio::test]
async fn metadata_describes_what_the_server_implements() {
    let s = start().await;
    let r = s.get("metadata").await;
    assert_eq!(r.status(), 200);
    let cs = json(r).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    let resources = cs["rest"][0]["resource"].as_array().unwrap();
    assert_eq!(resources.len(), 146, "every R4 resource type");
    let patient = resources.iter().find(|r| r["type"] == "Patient").unwrap();
    let codes: Vec<_> = patient["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    for c in [
        "read",
        "vread",
        "update",
        "patch",
        "delete",
        "history-instance",
        "history-type",
        "create",
    ] {
        assert!(codes.contains(&c), "{c}");
    }
    let system: Vec<_> = cs["rest"][0]["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        system,
        ["transaction", "batch", "search-system", "history-system"]
    );
}

#[tokio::test]
async fn metadata_lists_every_search_parameter_with_its_type() {
    let s = start().await;
    let cs = json(s.get("metadata").await).await;
    let resources = cs["rest"][0]["resource"].as_array().unwrap();
    let doc = resources
        .iter()
        .find(|r| r["type"] == "DocumentReference")
        .unwrap();
    let params = doc["searchParam"].as_array().unwrap();
    let find = |n: &str| params.iter().find(|p| p["name"] == n).cloned();
    assert_eq!(find("patient").unwrap()["type"], "reference");
    assert_eq!(find("date").unwrap()["type"], "date");
    assert_eq!(find("_id").unwrap()["type"], "token");
    assert!(
        find("type").unwrap()["documentation"]
            .as_str()
            .unwrap()
            .starts_with("FHIRPath")
    );
    assert!(
        doc["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "search-type")
    );
}
