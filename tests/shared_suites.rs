//! Conformance checks over the official material in `../shared` (HL7 test cases, R4 examples). They run when
//! `CARNET_SHARED_DIR` names that folder (`.ci/run` sets it); without it they say so and pass, since a clone of
//! the project alone has no `../shared`.

use std::path::PathBuf;

use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("CARNET_SHARED_DIR")?);
    dir.is_dir().then_some(dir)
}

#[test]
fn official_json_patch_cases_pass() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: JSON Patch cases skipped");
        return;
    };
    let text = std::fs::read(dir.join("fhir/patch-tests/json-patch-tests.json"))
        .expect("json-patch-tests.json");
    let cases: Vec<Value> = serde_json::from_slice(&text).expect("cases");
    let mut failed = Vec::new();
    for case in &cases {
        let result = carnet::patch::apply_json_patch(&case["doc"], &case["patch"]);
        let ok = match (case.get("expected"), result) {
            (Some(want), Ok(got)) => &got == want,
            (None, Err(_)) => case.get("error").is_some(),
            _ => false,
        };
        if !ok {
            failed.push(case["comment"].as_str().unwrap_or("?").to_owned());
        }
    }
    println!(
        "JSON Patch (RFC 6902) official cases: {} passed, {} failed",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failed: {failed:?}");
}
