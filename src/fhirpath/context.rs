//! The evaluation environment: model, variables and optional hooks
//! (<https://hl7.org/fhir/R4/fhirpath.html#variables>, <https://hl7.org/fhirpath/N1/#environment-variables>).
//!
//! A [`Context`] is cheap to build and can be shared by many evaluations on many
//! threads (everything it holds is `Send + Sync`).

use super::datetime::DateTime;
use super::item::Item;
use super::model::{ModelProvider, NullModel};
use serde_json::Value;
use std::collections::HashMap;

/// Finds the target of a reference for `resolve()`.
pub trait ReferenceResolver: Send + Sync {
    /// The resource `reference` (as written, e.g. `Patient/1` or an absolute URL)
    /// points to, if available. Contained (`#id`) and same-Bundle references are
    /// resolved by the engine itself before asking.
    fn resolve(&self, reference: &str) -> Option<&Value>;
}

/// Terminology questions for `memberOf()` / `subsumes()`.
pub trait Terminology: Send + Sync {
    /// Whether the code, Coding or CodeableConcept `value` (of FHIR type
    /// `fhir_type` when known) is in `value_set`; `None` when unknown.
    fn member_of(&self, value: &Value, fhir_type: Option<&str>, value_set: &str) -> Option<bool>;

    /// Whether code `a` subsumes code `b` (both Coding or code JSON); `None` when unknown.
    fn subsumes(&self, a: &Value, b: &Value) -> Option<bool> {
        let _ = (a, b);
        None
    }
}

/// Profile validation for `conformsTo()`.
pub trait ProfileValidator: Send + Sync {
    /// Whether `resource` conforms to the profile `url`; `Err` when the profile is
    /// unknown or validation cannot run (reported as an evaluation error).
    fn conforms_to(&self, resource: &Value, url: &str) -> Result<bool, String>;
}

/// Receives `trace()` output.
pub trait TraceSink: Send + Sync {
    /// Called with the trace name and the traced items.
    fn trace(&self, name: &str, items: &[Item<'_>]);
}

/// Everything an evaluation may consult besides the input resource.
#[derive(Clone)]
pub struct Context<'c> {
    pub(crate) model: &'c dyn ModelProvider,
    pub(crate) variables: HashMap<String, Value>,
    pub(crate) resource: Option<&'c Value>,
    pub(crate) root_resource: Option<&'c Value>,
    pub(crate) resolver: Option<&'c dyn ReferenceResolver>,
    pub(crate) terminology: Option<&'c dyn Terminology>,
    pub(crate) validator: Option<&'c dyn ProfileValidator>,
    pub(crate) tracer: Option<&'c dyn TraceSink>,
    pub(crate) now: Option<DateTime>,
    pub(crate) strict: bool,
}

impl Default for Context<'_> {
    fn default() -> Self {
        Context::new(&NullModel)
    }
}

impl<'c> Context<'c> {
    /// A context using `model` for types, with no variables and no hooks.
    pub fn new(model: &'c dyn ModelProvider) -> Context<'c> {
        Context {
            model,
            variables: HashMap::new(),
            resource: None,
            root_resource: None,
            resolver: None,
            terminology: None,
            validator: None,
            tracer: None,
            now: None,
            strict: false,
        }
    }

    /// Defines `%name`. A JSON array is a collection of its items; objects with
    /// `resourceType` are typed as resources; other values are untyped nodes.
    pub fn with_variable(mut self, name: impl Into<String>, value: Value) -> Self {
        self.variables.insert(name.into(), value);
        self
    }

    /// Sets `%resource` (defaults to the evaluated root).
    pub fn with_resource(mut self, resource: &'c Value) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Sets `%rootResource` (defaults to `%resource`).
    pub fn with_root_resource(mut self, resource: &'c Value) -> Self {
        self.root_resource = Some(resource);
        self
    }

    /// Installs the `resolve()` hook.
    pub fn with_resolver(mut self, resolver: &'c dyn ReferenceResolver) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Installs the `memberOf()` / `subsumes()` hook.
    pub fn with_terminology(mut self, terminology: &'c dyn Terminology) -> Self {
        self.terminology = Some(terminology);
        self
    }

    /// Installs the `conformsTo()` hook.
    pub fn with_validator(mut self, validator: &'c dyn ProfileValidator) -> Self {
        self.validator = Some(validator);
        self
    }

    /// Installs the `trace()` sink (without one, traces are discarded).
    pub fn with_tracer(mut self, tracer: &'c dyn TraceSink) -> Self {
        self.tracer = Some(tracer);
        self
    }

    /// Fixes the clock used by `now()`, `today()` and `timeOfDay()`.
    pub fn with_now(mut self, now: DateTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Strict mode: naming an element a known type does not have, or a resource
    /// type that does not match the input, is an error instead of an empty result.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The model in use.
    pub fn model(&self) -> &'c dyn ModelProvider {
        self.model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_sets_fields() {
        let v = serde_json::json!({"resourceType": "Patient"});
        let ctx = Context::default()
            .with_variable("x", Value::from("y"))
            .with_resource(&v)
            .strict(true);
        assert!(ctx.strict);
        assert!(ctx.variables.contains_key("x"));
        assert!(ctx.resource.is_some());
    }
}
