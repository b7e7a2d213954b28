//! The state of one TestScript execution: fixtures, recorded exchanges and variables
//! (<https://hl7.org/fhir/R4/testscript.html#variables>).

use super::exchange::{Exchange, header};
use super::path::{evaluate_text, to_fhirpath};
use super::subst::{substitute, substitute_json};
use serde_json::Value;
use std::collections::HashMap;

/// What a `sourceId` names: a static fixture or a recorded request/response.
pub enum Source<'a> {
    /// A fixture resource (as loaded or as the server returned it after creation).
    Fixture(&'a Value),
    /// A recorded exchange (`responseId`/`requestId`).
    Exchange(&'a Exchange),
}

/// Fixtures, exchanges and variable definitions of the running script.
#[derive(Default)]
pub struct State {
    /// The server base URL (no trailing slash).
    pub base: String,
    /// Static fixtures by id, with `${}` left unresolved.
    pub fixtures: HashMap<String, Value>,
    /// Fixtures with `autocreate`/`autodelete` flags: (id, autocreate, autodelete).
    pub fixture_flags: Vec<(String, bool, bool)>,
    /// The server's copy of fixtures created so far (id → resource as returned).
    pub created: HashMap<String, Value>,
    /// Exchanges by `responseId` and `requestId`.
    pub exchanges: HashMap<String, Exchange>,
    /// The last exchange.
    pub last: Option<Exchange>,
    /// The script's `variable` elements.
    pub variables: Vec<Value>,
    /// Values set on the command line (they win over definitions).
    pub preset: HashMap<String, String>,
    /// `profile` ids to canonical URLs.
    pub profiles: HashMap<String, String>,
}

impl State {
    /// The fixture or exchange `id` names; `None` when unknown.
    pub fn source(&self, id: &str) -> Option<Source<'_>> {
        if let Some(ex) = self.exchanges.get(id) {
            return Some(Source::Exchange(ex));
        }
        self.created
            .get(id)
            .or_else(|| self.fixtures.get(id))
            .map(Source::Fixture)
    }

    /// The resource body of `id` (fixture, or the response body of an exchange; the request
    /// body when the response has none).
    pub fn resource(&self, id: &str) -> Option<&Value> {
        match self.source(id)? {
            Source::Fixture(v) => Some(v),
            Source::Exchange(ex) => ex
                .response
                .resource
                .as_ref()
                .or(ex.request.resource.as_ref()),
        }
    }

    /// A fixture with its `${}` references substituted.
    pub fn fixture_body(&self, id: &str) -> Option<Value> {
        let mut body = self.fixtures.get(id)?.clone();
        substitute_json(&mut body, &mut |name| self.variable(name));
        Some(body)
    }

    /// Substitutes `${name}` in `text` with current variable values.
    pub fn subst(&self, text: &str) -> String {
        substitute(text, &mut |name| self.variable(name))
    }

    /// The current value of variable `name`: a command-line value, else its definition
    /// evaluated now (header, FHIRPath expression or path against its source or the last
    /// response), else its `defaultValue`; `None` when undefined or empty without default.
    pub fn variable(&self, name: &str) -> Option<String> {
        if let Some(value) = self.preset.get(name) {
            return Some(value.clone());
        }
        let def = self
            .variables
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(name))?;
        self.evaluate_variable(def)
            .or_else(|| text(def, "defaultValue").map(|d| self.subst(d)))
    }

    fn evaluate_variable(&self, def: &Value) -> Option<String> {
        let source = text(def, "sourceId");
        let exchange = match source {
            Some(id) => match self.source(id)? {
                Source::Exchange(ex) => Some(ex),
                Source::Fixture(_) => None,
            },
            None => self.last.as_ref(),
        };
        if let Some(field) = text(def, "headerField") {
            return header(&exchange?.response.headers, field);
        }
        let expr = match (text(def, "expression"), text(def, "path")) {
            (Some(e), _) => self.subst(e),
            (None, Some(p)) => to_fhirpath(p),
            (None, None) => return None,
        };
        let resource = match source {
            Some(id) => self.resource(id)?,
            None => exchange?.response.resource.as_ref()?,
        };
        let values = evaluate_text(&expr, resource).ok()?;
        values.into_iter().next()
    }

    /// Records an exchange as the last one and under its ids.
    pub fn record(&mut self, exchange: Exchange, ids: &[Option<&str>]) {
        for id in ids.iter().flatten() {
            self.exchanges.insert((*id).to_owned(), exchange.clone());
        }
        self.last = Some(exchange);
    }
}

/// The string member `key` of a JSON object.
pub fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The boolean member `key` of a JSON object (STU3 XML may give `"true"` strings).
pub fn flag(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::exchange::Response;
    use serde_json::json;

    fn state_with_response() -> State {
        let mut state = State {
            variables: vec![
                json!({"name": "id", "expression": "Patient.id"}),
                json!({"name": "etag", "headerField": "ETag"}),
                json!({"name": "fam", "path": "fhir:Patient/fhir:name/fhir:family/@value"}),
                json!({"name": "fixedFam", "sourceId": "fx", "expression": "name.family"}),
                json!({"name": "none", "expression": "Patient.gender", "defaultValue": "unknown"}),
            ],
            ..State::default()
        };
        state.fixtures.insert(
            "fx".into(),
            json!({"resourceType": "Patient", "name": [{"family": "F"}]}),
        );
        let response = Response {
            status: 200,
            headers: vec![("etag".into(), "W/\"3\"".into())],
            body: String::new(),
            resource: Some(
                json!({"resourceType": "Patient", "id": "p1", "name": [{"family": "R"}]}),
            ),
        };
        state.record(
            Exchange {
                response,
                ..Exchange::default()
            },
            &[Some("r1")],
        );
        state
    }

    #[test]
    fn evaluates_variables_from_last_response_headers_and_fixtures() {
        let state = state_with_response();
        assert_eq!(state.variable("id").as_deref(), Some("p1"));
        assert_eq!(state.variable("etag").as_deref(), Some("W/\"3\""));
        assert_eq!(state.variable("fam").as_deref(), Some("R"));
        assert_eq!(state.variable("fixedFam").as_deref(), Some("F"));
        assert_eq!(state.variable("none").as_deref(), Some("unknown"));
        assert_eq!(state.variable("undefined"), None);
        assert_eq!(state.subst("Patient/${id}/_history"), "Patient/p1/_history");
    }

    #[test]
    fn command_line_values_win() {
        let mut state = state_with_response();
        state.preset.insert("id".into(), "cli".into());
        assert_eq!(state.variable("id").as_deref(), Some("cli"));
    }
}
