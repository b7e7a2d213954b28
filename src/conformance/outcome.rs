//! What running a script produced, before it becomes a TestReport.

use super::state::text;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// TestReport action result codes (<https://hl7.org/fhir/R4/valueset-report-action-result-codes.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Skip,
    Fail,
    Warning,
    Error,
}

impl Status {
    /// The TestReport code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Fail => "fail",
            Status::Warning => "warning",
            Status::Error => "error",
        }
    }

    /// Whether this result stops a setup or test.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// Whether an action was an operation or an assert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Operation,
    Assert,
}

/// The result of one action.
#[derive(Clone, Debug)]
pub struct ActionResult {
    pub kind: Kind,
    pub status: Status,
    pub message: String,
    pub description: Option<String>,
}

impl ActionResult {
    /// A result with `message` and the action's description.
    pub fn new(
        kind: Kind,
        status: Status,
        message: &str,
        description: Option<String>,
    ) -> ActionResult {
        ActionResult {
            kind,
            status,
            message: message.to_owned(),
            description,
        }
    }

    /// A skipped action, with `why`.
    pub fn skipped(action: &Value, why: &str) -> ActionResult {
        let kind = if action.get("assert").is_some() {
            Kind::Assert
        } else {
            Kind::Operation
        };
        let inner = action.get("assert").or_else(|| action.get("operation"));
        let description = inner
            .and_then(|a| text(a, "description"))
            .map(str::to_owned);
        ActionResult::new(kind, Status::Skip, why, description)
    }
}

/// One `test` and its action results.
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub name: String,
    /// The test's element id, when it has one (`--expect-failure` may name it).
    pub id: Option<String>,
    pub description: Option<String>,
    pub actions: Vec<ActionResult>,
    /// Marked by `--expect-failure`: its failure is known and does not fail the run; passing does.
    pub expected_failure: bool,
}

impl Section {
    /// An empty section named after `test`.
    pub fn of(test: &Value) -> Section {
        Section {
            name: text(test, "name").unwrap_or("(unnamed test)").to_owned(),
            id: text(test, "id").map(str::to_owned),
            description: text(test, "description").map(str::to_owned),
            actions: Vec::new(),
            expected_failure: false,
        }
    }

    /// Whether this test counts against the run: it failed unexpectedly, or passed when it was
    /// expected to fail.
    pub fn is_failure(&self) -> bool {
        match self.status() {
            Status::Fail => !self.expected_failure,
            Status::Pass => self.expected_failure,
            _ => false,
        }
    }

    /// `pass`, `fail` (a failed or errored action) or `skip` (every action skipped).
    pub fn status(&self) -> Status {
        if self.actions.iter().any(|a| a.status.is_failure()) {
            Status::Fail
        } else if !self.actions.is_empty() && self.actions.iter().all(|a| a.status == Status::Skip)
        {
            Status::Skip
        } else {
            Status::Pass
        }
    }
}

/// Everything one script run produced.
#[derive(Clone, Debug, Default)]
pub struct ScriptOutcome {
    pub path: PathBuf,
    pub name: String,
    pub id: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
    pub setup: Vec<ActionResult>,
    pub tests: Vec<Section>,
    pub teardown: Vec<ActionResult>,
}

impl ScriptOutcome {
    /// An empty outcome for the script at `path`.
    pub fn new(path: &Path) -> ScriptOutcome {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        ScriptOutcome {
            path: path.to_owned(),
            name,
            ..ScriptOutcome::default()
        }
    }

    /// Takes name, id and url from the script.
    pub fn describe(&mut self, script: &Value) {
        if let Some(name) = text(script, "name").or(text(script, "title")) {
            self.name = name.to_owned();
        }
        self.id = text(script, "id").map(str::to_owned);
        self.url = text(script, "url").map(str::to_owned);
    }

    /// The outcome of a script that could not run.
    pub fn failed(mut self, error: String) -> ScriptOutcome {
        self.error = Some(error);
        self
    }

    /// Whether the script errored, a setup action failed or a test failed.
    pub fn is_failure(&self) -> bool {
        self.error.is_some()
            || self.setup.iter().any(|a| a.status.is_failure())
            || self.tests.iter().any(Section::is_failure)
    }

    /// Counts of tests passed, failed (expected failures apart) and skipped.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |s: Status| {
            self.tests
                .iter()
                .filter(|t| t.status() == s && !(t.expected_failure && s == Status::Fail))
                .count()
        };
        (
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Skip),
        )
    }

    /// Tests that failed as `--expect-failure` said they would.
    pub fn expected_failures(&self) -> usize {
        self.tests
            .iter()
            .filter(|t| t.expected_failure && t.status() == Status::Fail)
            .count()
    }

    /// Whether `key` (the script's id, name or file stem) names this script.
    pub fn is_named(&self, key: &str) -> bool {
        self.id.as_deref() == Some(key)
            || self.name == key
            || self
                .path
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == key)
    }
}
