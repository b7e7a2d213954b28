use serde_json::Value;

use crate::common::{json, start};

fn demo_bundle() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/01-record.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn the_demo_record_loads_with_resolved_references_and_reloads_idempotently() {
    let s = start().await;
    for _ in 0..2 {
        let r = s.post("", &demo_bundle()).await;
        assert_eq!(r.status(), 200);
    }
    let h = json(s.get("Patient/_history").await).await;
    assert_eq!(
        h["total"], 4,
        "two patients, each created then updated in place"
    );
    let docs = json(s.get("DocumentReference/_history?_count=1").await).await;
    let doc = &docs["entry"][0]["resource"];
    let subject = doc["subject"]["reference"].as_str().unwrap();
    assert!(subject.starts_with("Patient/"), "{subject}");
    assert_eq!(s.get(subject).await.status(), 200);
}
