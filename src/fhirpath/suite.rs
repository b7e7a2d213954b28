//! Runner for the official FHIRPath test suite of FHIR R4
//! (`fhir-test-cases/r4/fhirpath/tests-fhir-r4.xml`), usable from tests and CI.
//!
//! Inputs are read from `input-json/` (JSON renderings of the XML inputs) or
//! `input/` (inputs that are JSON already). A test passes when evaluation gives
//! the expected outputs; tests marked `invalid` pass when compilation or
//! evaluation fails; `predicate` tests compare the result as a boolean.

mod render;
mod xml;

pub use xml::{ExpectedOutput, SuiteTest, parse_suite};

use super::context::{Context, ProfileValidator};
use super::item::{Item, SystemValue};
use super::model::{ModelProvider, is_subtype};
use super::{compile, evaluate};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// A failed test.
#[derive(Clone, Debug, PartialEq)]
pub struct SuiteFailure {
    /// Group and test name, `group/test`.
    pub name: String,
    /// The expression.
    pub expression: String,
    /// What went wrong.
    pub reason: String,
}

/// Outcome of a suite run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SuiteReport {
    /// Tests run.
    pub total: usize,
    /// Tests passed.
    pub passed: usize,
    /// Failures, in suite order (also holds a single entry when the suite
    /// itself could not be read, with `total == 0`).
    pub failures: Vec<SuiteFailure>,
}

impl SuiteReport {
    /// Passed / total, 0 when nothing ran.
    pub fn pass_rate(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        self.passed as f64 / self.total as f64
    }
}

/// `conformsTo()` for the suite: base R4 profiles only, by resource type.
struct BaseProfiles<'m> {
    model: &'m dyn ModelProvider,
}

impl ProfileValidator for BaseProfiles<'_> {
    fn conforms_to(&self, resource: &Value, url: &str) -> Result<bool, String> {
        let ty = url
            .strip_prefix("http://hl7.org/fhir/StructureDefinition/")
            .ok_or_else(|| format!("unknown profile {url}"))?;
        let actual = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("");
        Ok(is_subtype(self.model, actual, ty))
    }
}

/// Runs every test of `dir/tests-fhir-r4.xml` with `model`; never panics (an
/// unreadable suite is reported as one failure).
pub fn run_official_suite(dir: &Path, model: &dyn ModelProvider) -> SuiteReport {
    let tests = match std::fs::read_to_string(dir.join("tests-fhir-r4.xml"))
        .map_err(|e| e.to_string())
        .and_then(|xml| parse_suite(&xml))
    {
        Ok(tests) => tests,
        Err(reason) => {
            return SuiteReport {
                failures: vec![SuiteFailure {
                    name: "suite".into(),
                    expression: String::new(),
                    reason,
                }],
                ..SuiteReport::default()
            };
        }
    };
    let mut inputs: HashMap<String, Result<Value, String>> = HashMap::new();
    let mut report = SuiteReport::default();
    for test in &tests {
        let input = match &test.input_file {
            Some(file) => inputs
                .entry(file.clone())
                .or_insert_with(|| load_input(dir, file))
                .clone(),
            None => Ok(Value::Null),
        };
        report.total += 1;
        match input.and_then(|root| run_test(test, &root, model)) {
            Ok(()) => report.passed += 1,
            Err(reason) => report.failures.push(SuiteFailure {
                name: format!("{}/{}", test.group, test.name),
                expression: test.expression.clone(),
                reason,
            }),
        }
    }
    report
}

/// Reads an input file (`x.xml` from `input-json/x.json`, `x.json` from `input/`).
fn load_input(dir: &Path, file: &str) -> Result<Value, String> {
    let path = match file.strip_suffix(".xml") {
        Some(stem) => dir.join("input-json").join(format!("{stem}.json")),
        None => dir.join("input").join(file),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs one test against its input; `Err` explains a failure.
pub fn run_test(test: &SuiteTest, root: &Value, model: &dyn ModelProvider) -> Result<(), String> {
    let validator = BaseProfiles { model };
    let ctx = Context::new(model)
        .with_validator(&validator)
        .strict(test.strict);
    let outcome = compile(&test.expression).and_then(|expr| {
        let result = evaluate(&expr, root, &ctx)?;
        Ok(check_result(test, result.items(), model))
    });
    match (outcome, &test.invalid) {
        (Err(_), Some(_)) => Ok(()),
        (Err(e), None) => Err(format!("unexpected error: {e}")),
        (Ok(_), Some(kind)) => Err(format!("expected a {kind} error")),
        (Ok(check), None) => check,
    }
}

fn check_result(
    test: &SuiteTest,
    items: &[Item<'_>],
    model: &dyn ModelProvider,
) -> Result<(), String> {
    let items = if test.predicate {
        vec![Item::boolean(predicate_value(items, model))]
    } else {
        items.to_vec()
    };
    if render::collection_matches(&items, &test.outputs, test.unordered, model) {
        return Ok(());
    }
    let got: Vec<String> = items.iter().map(|i| render::render(i, model)).collect();
    let want: Vec<&str> = test.outputs.iter().map(|o| o.text.as_str()).collect();
    Err(format!("got {got:?}, expected {want:?}"))
}

fn predicate_value(items: &[Item<'_>], model: &dyn ModelProvider) -> bool {
    match items {
        [] => false,
        [item] => !matches!(item.to_system(model), Some(SystemValue::Boolean(false))),
        _ => true,
    }
}
