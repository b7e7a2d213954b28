//! Invariants (`ElementDefinition.constraint`, <https://hl7.org/fhir/R4/conformance-rules.html#constraints>)
//! evaluated through a pluggable FHIRPath engine. `ele-1` and `ext-1`, present on nearly every
//! element, and `ref-1`/`dom-3` are checked natively (see `object.rs`, `companion.rs`,
//! `datatype.rs`, `local_refs.rs`) and never handed to the evaluator.

use serde_json::Value;

use super::report::Severity;
use super::walker::Walker;
use crate::model::{ConstraintDef, ElementRef, Severity as ConstraintSeverity, TypeDef, TypeKind};

/// Evaluates a FHIRPath invariant; the server plugs in its FHIRPath engine.
///
/// `focus` is the element's JSON value: an object for a complex element or a resource, the
/// JSON scalar for a primitive (its `_x` companion is not passed); `resource` is the nearest
/// enclosing resource (a contained or Bundle entry resource for the elements inside it), to
/// be bound to `%resource`. Checked with the scratch FHIRPath engine: the 120 R4 and 31 FR
/// Core examples give no invariant error (dom-3 is not evaluated by it yet).
pub trait InvariantEvaluator: Send + Sync {
    /// `Some(true)` when `expression` holds on `focus`, `Some(false)` when it does not, `None`
    /// when it could not be evaluated (nothing is reported then).
    fn holds(&self, expression: &str, focus: &Value, resource: &Value) -> Option<bool>;
}

/// Constraints checked natively.
const NATIVE: [&str; 4] = ["ele-1", "ext-1", "ref-1", "dom-3"];

impl Walker<'_> {
    /// The constraints of element `el` and of its datatype `td` (per-1 on a Period), each once.
    pub(super) fn element_invariants(
        &mut self,
        el: ElementRef<'_>,
        td: &TypeDef,
        focus: &Value,
        resource: &Value,
    ) {
        let Some(evaluator) = self.invariants else {
            return;
        };
        let model = self.model;
        let own: Vec<&ConstraintDef> = el.constraints().collect();
        let of_type = td
            .constraints
            .iter()
            .filter(|_| td.kind != TypeKind::Backbone)
            .filter_map(|id| model.constraint(id))
            .filter(|c| !own.iter().any(|o| o.id == c.id));
        for c in own.iter().copied().chain(of_type) {
            self.invariant(evaluator, c, focus, resource);
        }
    }

    /// The constraints of a resource type's root (dom-2..dom-6, bdl-*, ...).
    pub(super) fn type_invariants(&mut self, td: &TypeDef, focus: &Value, resource: &Value) {
        let Some(evaluator) = self.invariants else {
            return;
        };
        let model = self.model;
        for c in td.constraints.iter().filter_map(|id| model.constraint(id)) {
            self.invariant(evaluator, c, focus, resource);
        }
    }

    fn invariant(
        &mut self,
        evaluator: &dyn InvariantEvaluator,
        c: &ConstraintDef,
        focus: &Value,
        resource: &Value,
    ) {
        if NATIVE.contains(&c.key.as_str()) {
            return;
        }
        if evaluator.holds(&c.expression, focus, resource) == Some(false) {
            let severity = match c.severity {
                ConstraintSeverity::Error => Severity::Error,
                ConstraintSeverity::Warning => Severity::Warning,
            };
            self.issue(severity, "invariant", format!("{}: {}", c.key, c.human));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::validate::validate_base;

    /// Knows two expressions: per-1 (start <= end, comparing the strings) and dom-6 (has a
    /// narrative, a warning); everything else is "could not evaluate".
    pub(crate) struct TinyEvaluator;

    impl InvariantEvaluator for TinyEvaluator {
        fn holds(&self, expression: &str, focus: &Value, _resource: &Value) -> Option<bool> {
            match expression {
                "start.hasValue().not() or end.hasValue().not() or (start <= end)" => {
                    let (s, e) = (focus.get("start")?.as_str()?, focus.get("end")?.as_str()?);
                    Some(s <= e)
                }
                "text.`div`.exists()" => Some(focus.get("text").is_some()),
                _ => None,
            }
        }
    }

    #[test]
    fn invariants_go_through_the_evaluator() {
        let p = json!({"resourceType": "Patient", "text": {"status": "empty",
            "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
            "name": [{"period": {"start": "2020", "end": "2019"}}]});
        let r = validate_base(&p, Some(&TinyEvaluator));
        let e: Vec<String> = r.errors().map(ToString::to_string).collect();
        assert_eq!(e.len(), 1, "{r}");
        assert!(e[0].contains("Patient.name[0].period") && e[0].contains("per-1"));
        assert!(validate_base(&p, None).issues.is_empty());
    }

    #[test]
    fn failing_warnings_are_warnings() {
        let r = validate_base(&json!({"resourceType": "Patient"}), Some(&TinyEvaluator));
        assert!(!r.has_errors());
        assert_eq!(r.issues.len(), 1, "{r}");
        assert!(r.issues[0].message.starts_with("dom-6"));
        assert_eq!(r.issues[0].location, "Patient");
    }
}
