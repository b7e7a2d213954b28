//! OperationOutcome construction: https://hl7.org/fhir/R4/operationoutcome.html

use serde_json::{Value, json};

/// Issue severity (`OperationOutcome.issue.severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// `fatal`
    Fatal,
    /// `error`
    Error,
    /// `warning`
    Warning,
    /// `information`
    Information,
}

impl Severity {
    /// The FHIR code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fatal => "fatal",
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Information => "information",
        }
    }
}

/// One issue of an OperationOutcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Severity.
    pub severity: Severity,
    /// IssueType code, e.g. `invalid`, `not-found`.
    pub code: &'static str,
    /// Human text.
    pub diagnostics: String,
    /// FHIRPath location, if known.
    pub expression: Option<String>,
}

/// An OperationOutcome resource with `issues` (at least one is expected by the spec; an empty list yields an
/// `information` issue saying all is well).
pub fn operation_outcome(issues: &[Issue]) -> Value {
    let list: Vec<Value> = if issues.is_empty() {
        vec![json!({"severity": "information", "code": "informational", "diagnostics": "ok"})]
    } else {
        issues.iter().map(issue_json).collect()
    };
    json!({"resourceType": "OperationOutcome", "issue": list})
}

fn issue_json(issue: &Issue) -> Value {
    let mut v = json!({
        "severity": issue.severity.code(),
        "code": issue.code,
        "diagnostics": issue.diagnostics,
    });
    if let Some(expr) = &issue.expression {
        v["expression"] = json!([expr]);
    }
    v
}
