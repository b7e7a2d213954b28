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

/// Every Bundle of `fixtures/demo`, in file-name order (as `carnet serve --demo` loads them).
pub(crate) fn demo_bundles() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn the_whole_demo_population_loads_in_strict_mode_and_tells_its_story() {
    let s = crate::stories::demo().await;
    let total = |c: reqwest::Client, q: &'static str| {
        let url = s.url(q);
        async move {
            json(c.get(url).send().await.unwrap()).await["total"]
                .as_i64()
                .unwrap()
        }
    };
    let all = total(s.http.clone(), "DocumentReference?_summary=count").await;
    assert!(all >= 15, "{all} documents");
    // The médecin traitant sees more of Camille's record than a nurse (masked, psychiatric).
    let gp = s.client(&s.token(&["--professional", "899700218896", "--profession", "10"]));
    let q = "DocumentReference?patient=Patient/camille-test&_summary=count";
    let by_gp = total(gp, q).await;
    // The first nurse persona (profession 60).
    let nurse = crate::stories::persona(&s, "Sam PETIT");
    let by_nurse = total(nurse, q).await;
    assert!(
        by_gp > by_nurse && by_nurse > 0,
        "gp {by_gp}, nurse {by_nurse}"
    );
}
