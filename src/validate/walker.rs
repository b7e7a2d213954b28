//! The [`Walker`]: state of one base validation (model, evaluator, issues, current location).
//!
//! The location is a single `String` grown and truncated as the walk descends, so that the hot
//! path allocates nothing: a location is copied only when an issue is recorded.

use std::fmt::Write as _;

use serde_json::Value;

use super::invariant::InvariantEvaluator;
use super::report::{Severity, ValidationIssue};
use crate::model::Model;

/// How a resource is nested in the one being validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nesting {
    /// The resource given to the validator, a Bundle entry or a Parameters resource.
    Top,
    /// A resource in `contained`: needs an id, must not contain resources itself.
    Contained,
}

/// One base validation in progress.
pub(super) struct Walker<'a> {
    pub model: &'static Model,
    pub invariants: Option<&'a dyn InvariantEvaluator>,
    pub issues: Vec<ValidationIssue>,
    /// Current object nesting, bounded by [`MAX_NESTING`].
    pub depth: u32,
    path: String,
}

/// Deepest object nesting validated; deeper input is reported, not walked (no stack overflow
/// on hostile input built in memory; parsed JSON is limited to 128 levels by serde_json).
pub(super) const MAX_NESTING: u32 = 100;

impl<'a> Walker<'a> {
    /// A walker at the empty location.
    pub fn new(model: &'static Model, invariants: Option<&'a dyn InvariantEvaluator>) -> Self {
        Walker {
            model,
            invariants,
            issues: Vec::new(),
            depth: 0,
            path: String::with_capacity(128),
        }
    }

    /// The current location.
    pub fn location(&self) -> &str {
        &self.path
    }

    /// Appends `.name` (or `name` at the root) and returns the mark to [`restore`](Self::restore).
    pub fn push_field(&mut self, name: &str) -> usize {
        let mark = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
        mark
    }

    /// Appends `[index]` and returns the mark to [`restore`](Self::restore).
    pub fn push_index(&mut self, index: usize) -> usize {
        let mark = self.path.len();
        // Writing to a String cannot fail.
        let _ = write!(self.path, "[{index}]");
        mark
    }

    /// Goes back to a location returned by a `push_*`.
    pub fn restore(&mut self, mark: usize) {
        self.path.truncate(mark);
    }

    /// Records an issue at the current location.
    pub fn issue(&mut self, severity: Severity, code: &'static str, message: String) {
        self.issues.push(ValidationIssue {
            severity,
            code,
            location: self.path.clone(),
            message,
        });
    }

    /// Records an error at the current location.
    pub fn error(&mut self, code: &'static str, message: String) {
        self.issue(Severity::Error, code, message);
    }

    /// Records an error at the current location extended by `.name`.
    pub fn error_at(&mut self, name: &str, code: &'static str, message: String) {
        let mark = self.push_field(name);
        self.error(code, message);
        self.restore(mark);
    }
}

/// The JSON kind of a value, for messages.
pub(super) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::r4;

    #[test]
    fn locations_grow_and_shrink() {
        let mut w = Walker::new(r4(), None);
        let a = w.push_field("Patient");
        let b = w.push_field("name");
        let c = w.push_index(0);
        w.push_field("given");
        assert_eq!(w.location(), "Patient.name[0].given");
        w.restore(c);
        assert_eq!(w.location(), "Patient.name");
        w.error_at("family", "value", "x".into());
        assert_eq!(w.issues[0].location, "Patient.name.family");
        w.restore(b);
        w.restore(a);
        assert_eq!(w.location(), "");
    }
}
