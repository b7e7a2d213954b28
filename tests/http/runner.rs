//! The TestScript runner against the live app: small scripts that must pass, scripts that must
//! fail for a stated reason, and `--expect-failure`.

use serde_json::{Value, json};

use crate::common::{TestServer, start};
use carnet::conformance::{RunArgs, Summary, run};

const OPS: &str = "http://terminology.hl7.org/CodeSystem/testscript-operation-codes";

fn op(code: &str, extra: Value) -> Value {
    let mut o = json!({"type": {"system": OPS, "code": code}});
    o.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"operation": o})
}

fn check(extra: Value) -> Value {
    json!({"assert": extra})
}

fn script(id: &str, fixture: Option<&str>, tests: Vec<Value>) -> Value {
    let mut s = json!({"resourceType": "TestScript", "id": id, "name": id, "status": "active",
        "test": tests});
    if let Some(f) = fixture {
        s["fixture"] = json!([{"id": "patient", "autocreate": true, "autodelete": true,
            "resource": {"reference": f}}]);
    }
    s
}

fn test(name: &str, action: Vec<Value>) -> Value {
    json!({"name": name, "action": action})
}

/// Runs `scripts` (file name, TestScript) with a fixture Patient `Patient-runner.json` beside them.
async fn run_scripts(s: &TestServer, scripts: &[(&str, Value)], expect: &[&str]) -> Summary {
    let dir = tempfile::tempdir().unwrap();
    let patient = json!({"resourceType": "Patient", "id": "runner", "active": true,
        "name": [{"family": "Chalmers", "given": ["Peter"]}], "gender": "male"});
    std::fs::write(dir.path().join("Patient-runner.json"), patient.to_string()).unwrap();
    for (name, body) in scripts {
        std::fs::write(dir.path().join(name), body.to_string()).unwrap();
    }
    let args = RunArgs {
        base: s.base.clone(),
        token: Some(s.token(&["--admin"])),
        variables: vec!["family=Chalmers".into()],
        expect_failures: expect.iter().map(|e| (*e).to_owned()).collect(),
        report_dir: None,
        paths: vec![dir.path().to_owned()],
    };
    run(&args).await.unwrap()
}

#[tokio::test]
async fn a_script_using_fixtures_variables_and_every_common_assert_passes() {
    let s = start().await;
    let mut ok = script(
        "ok",
        Some("Patient/runner"),
        vec![
            test(
                "read",
                vec![
                    op(
                        "read",
                        json!({"resource": "Patient", "targetId": "patient", "responseId": "r"}),
                    ),
                    check(json!({"response": "okay"})),
                    check(json!({"resource": "Patient"})),
                    check(json!({"contentType": "json"})),
                    check(json!({"headerField": "ETag", "operator": "notEmpty"})),
                    check(json!({"expression": "Patient.name.family = 'Chalmers'"})),
                    check(
                        json!({"path": "fhir:Patient/fhir:name/fhir:given/@value", "value": "Peter"}),
                    ),
                    check(
                        json!({"compareToSourceId": "patient", "compareToSourceExpression": "Patient.gender",
                        "operator": "equals", "expression": "Patient.gender"}),
                    ),
                    check(json!({"minimumId": "patient"})),
                    check(json!({"requestMethod": "get"})),
                ],
            ),
            test(
                "search",
                vec![
                    op(
                        "search",
                        json!({"resource": "Patient", "params": "?family=${family}&_count=1"}),
                    ),
                    check(json!({"response": "okay"})),
                    check(json!({"navigationLinks": true})),
                    check(json!({"expression": "Bundle.entry.resource.id contains 'runner'"})),
                    check(json!({"requestURL": "family=Chalmers", "operator": "contains"})),
                ],
            ),
        ],
    );
    ok["variable"] = json!([{"name": "family", "defaultValue": "nobody"}]);
    let summary = run_scripts(&s, &[("ok.json", ok)], &[]).await;
    assert!(summary.passed(), "{}", summary.text);
    assert_eq!(summary.scripts[0].counts(), (2, 0, 0), "{}", summary.text);
    assert_eq!(summary.reports[0]["result"], "pass");
    // autodelete removed the fixture.
    let r = s.http.get(s.url("Patient/runner")).send().await.unwrap();
    assert_eq!(r.status(), 410);
}

#[tokio::test]
async fn scripts_fail_for_the_reason_they_break() {
    let s = start().await;
    let read = || {
        op(
            "read",
            json!({"resource": "Patient", "targetId": "patient"}),
        )
    };
    let cases = [
        (
            check(json!({"responseCode": "201"})),
            "expected equals '201', got [\"200\"]",
        ),
        (
            check(json!({"expression": "Patient.name.family = 'Smith'"})),
            "Patient.name.family = 'Smith'",
        ),
        (check(json!({"headerField": "X-Nothing"})), "X-Nothing"),
        (check(json!({"contentType": "xml"})), "xml"),
        (check(json!({"resource": "Observation"})), "Observation"),
        (
            check(json!({"path": "fhir:Patient/fhir:gender/@value", "value": "female"})),
            "female",
        ),
    ];
    for (i, (assert, why)) in cases.into_iter().enumerate() {
        let name = format!("case{i}");
        let body = script(
            &name,
            Some("Patient/runner"),
            vec![test("t", vec![read(), assert])],
        );
        let summary = run_scripts(&s, &[(&format!("{name}.json"), body)], &[]).await;
        assert!(!summary.passed(), "case {i} passed: {}", summary.text);
        assert_eq!(summary.scripts[0].counts(), (0, 1, 0), "{}", summary.text);
        assert!(
            summary.text.contains(why),
            "case {i}: no {why:?} in\n{}",
            summary.text
        );
    }
    // A failing setup skips every test; teardown still runs.
    let mut broken = script(
        "setup",
        None,
        vec![test("never", vec![op("capabilities", json!({}))])],
    );
    broken["setup"] = json!({"action": [op("read", json!({"resource": "Patient", "params": "/absent"})),
        check(json!({"response": "okay"}))]});
    let summary = run_scripts(&s, &[("setup.json", broken)], &[]).await;
    assert!(!summary.passed());
    assert_eq!(summary.scripts[0].counts(), (0, 0, 1), "{}", summary.text);
}

#[tokio::test]
async fn expected_failures_are_reported_but_only_stale_ones_fail_the_run() {
    let s = start().await;
    let body = script(
        "known",
        None,
        vec![
            test(
                "broken",
                vec![
                    op(
                        "read",
                        json!({"resource": "Patient", "params": "/ID-may-not-contain-CAPITALS"}),
                    ),
                    check(json!({"response": "bad"})),
                ],
            ),
            test(
                "fine",
                vec![
                    op("capabilities", json!({})),
                    check(json!({"response": "okay"})),
                ],
            ),
        ],
    );
    let files = [("known.json", body)];
    let summary = run_scripts(&s, &files, &[]).await;
    assert!(!summary.passed());
    let summary = run_scripts(&s, &files, &["known#broken"]).await;
    assert!(summary.passed(), "{}", summary.text);
    assert!(
        summary.text.contains("1 failed as expected"),
        "{}",
        summary.text
    );
    let summary = run_scripts(&s, &files, &["known#broken", "known#fine"]).await;
    assert!(
        !summary.passed(),
        "a passing test marked as failing must fail the run"
    );
    let summary = run_scripts(&s, &files, &["known#broken", "other#test"]).await;
    assert!(
        !summary.passed(),
        "an expectation that names no test must fail the run"
    );
    assert!(summary.text.contains("other#test"), "{}", summary.text);
}

#[tokio::test]
async fn files_that_are_not_test_scripts_are_not_run() {
    let s = start().await;
    let param = json!({"resourceType": "SearchParameter", "base": ["TestScript"], "code": "x"});
    let fine = script(
        "fine",
        None,
        vec![test(
            "t",
            vec![
                op("capabilities", json!({})),
                check(json!({"response": "okay"})),
            ],
        )],
    );
    let summary = run_scripts(
        &s,
        &[("SearchParameter-x.json", param), ("fine.json", fine)],
        &[],
    )
    .await;
    assert_eq!(summary.scripts.len(), 1, "{}", summary.text);
}
