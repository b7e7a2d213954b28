//! TestReport resources (<https://hl7.org/fhir/R4/testreport.html>) and the readable summary.

use super::outcome::{ActionResult, Kind, ScriptOutcome, Section, Status};
use serde_json::{Map, Value, json};
use std::fmt::Write;

/// The TestReport for one script run at `issued` against `base`.
pub fn test_report(outcome: &ScriptOutcome, base: &str, issued: &str) -> Value {
    let (passed, failed, skipped) = outcome.counts();
    let total = passed + failed + skipped;
    let score = if total == 0 {
        100.0
    } else {
        // Test counts are small: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let ratio = passed as f64 / total as f64;
        100.0 * ratio
    };
    let mut report = json!({
        "resourceType": "TestReport",
        "status": if outcome.error.is_some() { "stopped" } else { "completed" },
        "name": outcome.name,
        "testScript": test_script_ref(outcome),
        "result": if outcome.is_failure() { "fail" } else { "pass" },
        "score": (score * 100.0).round() / 100.0,
        "tester": "Carnet conformance runner",
        "issued": issued,
        "participant": [{"type": "server", "uri": base}],
    });
    let Some(obj) = report.as_object_mut() else {
        return report;
    };
    add_sections(obj, outcome);
    report
}

/// Adds the setup, test and teardown results (or the load error) to a report.
fn add_sections(obj: &mut Map<String, Value>, outcome: &ScriptOutcome) {
    if let Some(err) = &outcome.error {
        obj.insert(
            "setup".into(),
            json!({"action": [{"operation": {"result": "error", "message": err}}]}),
        );
        return;
    }
    if !outcome.setup.is_empty() {
        obj.insert("setup".into(), json!({"action": actions(&outcome.setup)}));
    }
    let tests: Vec<Value> = outcome.tests.iter().map(test).collect();
    if !tests.is_empty() {
        obj.insert("test".into(), json!(tests));
    }
    if !outcome.teardown.is_empty() {
        let ops: Vec<Value> = outcome
            .teardown
            .iter()
            .map(|a| json!({"operation": detail(a)}))
            .collect();
        obj.insert("teardown".into(), json!({"action": ops}));
    }
}

fn test(t: &Section) -> Value {
    let mut test = Map::new();
    test.insert("name".into(), json!(t.name));
    if let Some(d) = &t.description {
        test.insert("description".into(), json!(d));
    }
    test.insert("action".into(), json!(actions(&t.actions)));
    Value::Object(test)
}

fn test_script_ref(outcome: &ScriptOutcome) -> Value {
    match (&outcome.url, &outcome.id) {
        (Some(url), _) => json!({"reference": url, "display": outcome.name}),
        (None, Some(id)) => {
            json!({"reference": format!("TestScript/{id}"), "display": outcome.name})
        }
        (None, None) => json!({"display": outcome.name}),
    }
}

fn actions(results: &[ActionResult]) -> Vec<Value> {
    results
        .iter()
        .map(|a| match a.kind {
            Kind::Operation => json!({"operation": detail(a)}),
            Kind::Assert => json!({"assert": detail(a)}),
        })
        .collect()
}

fn detail(a: &ActionResult) -> Value {
    let message = match &a.description {
        Some(d) => format!("{d}: {}", a.message),
        None => a.message.clone(),
    };
    json!({"result": a.status.code(), "message": message})
}

/// A human-readable summary: one line per script with its counts, then every failing or
/// erroring action (and warnings) with its description and why.
pub fn summary_text(outcomes: &[ScriptOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        script_summary(&mut out, o);
    }
    let failed = outcomes.iter().filter(|o| o.is_failure()).count();
    let _ = writeln!(
        out,
        "{} script(s), {} passed, {failed} failed",
        outcomes.len(),
        outcomes.len() - failed
    );
    out
}

fn script_summary(out: &mut String, o: &ScriptOutcome) {
    let (p, f, s) = o.counts();
    let verdict = if o.is_failure() { "FAIL" } else { "PASS" };
    let x = o.expected_failures();
    let expected = if x > 0 {
        format!(", {x} failed as expected")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{verdict} {} ({}): {p} passed, {f} failed{expected}, {s} skipped",
        o.name,
        o.path.display()
    );
    for t in o.tests.iter().filter(|t| t.expected_failure) {
        let how = if t.status() == Status::Pass {
            "passed, but --expect-failure said it fails: remove the expectation"
        } else {
            "failed as expected (--expect-failure)"
        };
        let _ = writeln!(out, "    [{}] {how}", t.name);
    }
    if let Some(e) = &o.error {
        let _ = writeln!(out, "    error: {e}");
    }
    let sections = [("setup", &o.setup)]
        .into_iter()
        .chain(o.tests.iter().map(|t| (t.name.as_str(), &t.actions)));
    for (name, results) in sections.chain([("teardown", &o.teardown)]) {
        for a in results
            .iter()
            .filter(|a| a.status.is_failure() || a.status == Status::Warning)
        {
            let what = a.description.as_deref().unwrap_or(match a.kind {
                Kind::Operation => "operation",
                Kind::Assert => "assert",
            });
            let _ = writeln!(
                out,
                "    [{name}] {} {what}: {}",
                a.status.code(),
                a.message
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::outcome::Section;
    use std::path::Path;

    fn outcome() -> ScriptOutcome {
        let mut o = ScriptOutcome::new(Path::new("s.json"));
        o.id = Some("s".into());
        let pass = ActionResult::new(Kind::Operation, Status::Pass, "GET x -> 200", None);
        let fail = ActionResult::new(Kind::Assert, Status::Fail, "got 404", Some("is ok".into()));
        o.setup.push(pass.clone());
        o.tests.push(Section {
            name: "t1".into(),
            id: None,
            description: None,
            actions: vec![pass.clone(), fail],
            expected_failure: false,
        });
        o.tests.push(Section {
            name: "t2".into(),
            id: None,
            description: Some("d".into()),
            actions: vec![pass.clone()],
            expected_failure: false,
        });
        o.teardown.push(pass);
        o
    }

    #[test]
    fn report_is_a_structurally_valid_r4_test_report() {
        let report = test_report(&outcome(), "http://h/fhir", "2026-01-01T00:00:00Z");
        assert_eq!(report["result"], "fail");
        assert_eq!(report["score"].to_string(), "50.0");
        assert_eq!(report["test"][0]["action"][1]["assert"]["result"], "fail");
        crate::xml::json_to_xml(&report, false).unwrap();
        let errored = ScriptOutcome::new(Path::new("x.json")).failed("bad".into());
        let report = test_report(&errored, "http://h/fhir", "2026-01-01T00:00:00Z");
        assert_eq!(report["status"], "stopped");
        crate::xml::json_to_xml(&report, false).unwrap();
    }

    #[test]
    fn summary_lists_counts_and_failing_asserts() {
        let text = summary_text(&[outcome()]);
        assert!(
            text.contains("FAIL s.json (s.json): 1 passed, 1 failed, 0 skipped"),
            "{text}"
        );
        assert!(text.contains("[t1] fail is ok: got 404"), "{text}");
        assert!(text.contains("1 script(s), 0 passed, 1 failed"), "{text}");
    }
}
