use serde_json::Value;

use crate::common::json;

fn demo_bundle() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/01-record.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn the_demo_record_loads_in_strict_mode_with_resolvable_references() {
    let s = crate::common::start_strict().await;
    for _ in 0..2 {
        let r = s.post("", &demo_bundle()).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let h = json(s.get("Patient/_history").await).await;
    assert_eq!(h["total"], 4, "two patients, each written twice");
    let doc = json(s.get("DocumentReference/cr-consult-1").await).await;
    let subject = doc["subject"]["reference"].as_str().unwrap();
    assert_eq!(s.get(subject).await.status(), 200, "{subject}");
}
