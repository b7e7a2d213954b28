//! The validation report: a list of issues, each with a FHIR IssueType code and a
//! FHIRPath-style location (<https://hl7.org/fhir/R4/operationoutcome.html>).

use std::fmt;

use serde_json::{Value, json};

/// Issue severity, as `OperationOutcome.issue.severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The resource could not be processed at all.
    Fatal,
    /// The resource is invalid.
    Error,
    /// Valid, but probably not what was meant.
    Warning,
    /// For information only.
    Information,
}

impl Severity {
    /// The `OperationOutcome.issue.severity` code.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
}

/// One problem found in a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    /// How bad it is.
    pub severity: Severity,
    /// FHIR IssueType code: `structure`, `required`, `value`, `code-invalid`, `invariant`,
    /// `invalid`, `not-supported`, ...
    pub code: &'static str,
    /// FHIRPath-style location: `Patient.identifier[0].system`.
    pub location: String,
    /// Human-readable explanation.
    pub message: String,
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.severity.code(),
            self.code,
            self.location,
            self.message
        )
    }
}

/// The outcome of a validation: empty when the resource is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The issues in the order found (document order of the resource).
    pub issues: Vec<ValidationIssue>,
    /// Whether base R4 validation (of the resource against its core definition, not against a
    /// profile) found errors: those block a write in every mode.
    pub base_errors: bool,
}

impl Report {
    /// `true` when some issue is an error or fatal.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The error and fatal issues.
    pub fn errors(&self) -> impl Iterator<Item = &ValidationIssue> {
        self.issues
            .iter()
            .filter(|i| matches!(i.severity, Severity::Fatal | Severity::Error))
    }

    /// The report as an OperationOutcome (`issue.expression` holds the location); a valid
    /// resource gives one `information` issue, as `$validate` requires at least one.
    pub fn to_operation_outcome(&self) -> Value {
        let mut issues: Vec<Value> = self
            .issues
            .iter()
            .map(|i| {
                let mut issue = json!({"severity": i.severity.code(), "code": i.code,
                    "diagnostics": i.message});
                if !i.location.is_empty() {
                    issue["expression"] = json!([i.location]);
                }
                issue
            })
            .collect();
        if issues.is_empty() {
            issues.push(json!({"severity": "information", "code": "informational",
                "diagnostics": "no issues found"}));
        }
        json!({"resourceType": "OperationOutcome", "issue": issues})
    }

    /// Appends the issues of `other`.
    pub fn merge(&mut self, other: Report) {
        self.issues.extend(other.issues);
        self.base_errors |= other.base_errors;
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for issue in &self.issues {
            writeln!(f, "{issue}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(severity: Severity) -> ValidationIssue {
        ValidationIssue {
            severity,
            code: "value",
            location: "Patient.birthDate".into(),
            message: "bad".into(),
        }
    }

    #[test]
    fn warnings_alone_are_not_errors() {
        let mut r = Report {
            issues: vec![issue(Severity::Warning), issue(Severity::Information)],
            ..Report::default()
        };
        assert!(!r.has_errors());
        r.merge(Report {
            issues: vec![issue(Severity::Error)],
            base_errors: true,
        });
        assert!(r.base_errors);
        assert!(r.has_errors());
        assert_eq!(r.errors().count(), 1);
    }

    #[test]
    fn reports_become_operation_outcomes() {
        let oo = Report {
            issues: vec![issue(Severity::Error)],
            ..Report::default()
        }
        .to_operation_outcome();
        assert_eq!(oo["issue"][0]["expression"][0], "Patient.birthDate");
        assert_eq!(oo["issue"][0]["severity"], "error");
        assert!(!crate::validate::validate_base(&oo, None).has_errors());
        let empty = Report::default().to_operation_outcome();
        assert_eq!(empty["issue"][0]["code"], "informational");
    }

    #[test]
    fn issues_display_with_location() {
        assert_eq!(
            issue(Severity::Error).to_string(),
            "error [value] Patient.birthDate: bad"
        );
    }
}
