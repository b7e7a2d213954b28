//! Minimal translation of TestScript `path` (XPath over FHIR XML or JSONPath over FHIR JSON)
//! into FHIRPath, and FHIRPath evaluation to text values.
//!
//! Supported: `/fhir:Patient/fhir:name/fhir:family/@value`, `f:` or no prefixes, 1-based
//! `[n]` positions, `@id`/`@url` attributes, `count(…)` and `exists(…)` wrappers;
//! `$.name[0].family` JSONPath; and anything already FHIRPath (`Patient.name.family`).

use crate::fhirpath::{Context, FhirPathError, SystemValue, compile, evaluate, r4_model};
use serde_json::Value;

/// The FHIRPath equivalent of a TestScript `path`.
pub fn to_fhirpath(path: &str) -> String {
    let path = path.trim();
    for (func, suffix) in [("count(", ".count()"), ("exists(", ".exists()")] {
        if let Some(inner) = path.strip_prefix(func).and_then(|p| p.strip_suffix(')')) {
            return format!("{}{suffix}", to_fhirpath(inner));
        }
    }
    if let Some(json) = path.strip_prefix('$') {
        return json.trim_start_matches('.').to_owned();
    }
    if !path.contains('/') && !path.contains(':') {
        return path.to_owned();
    }
    let mut steps: Vec<String> = Vec::new();
    for step in path.split('/').filter(|s| !s.is_empty() && *s != "@value") {
        let step = xpath_step(step);
        let wraps = steps
            .last()
            .is_some_and(|p| p.starts_with("resource") || p.starts_with("contained"));
        if wraps && step.starts_with(|c: char| c.is_ascii_uppercase()) {
            steps.push(format!("ofType({step})"));
        } else {
            steps.push(step);
        }
    }
    steps.join(".")
}

fn xpath_step(step: &str) -> String {
    let step = step.rsplit_once(':').map_or(step, |(_, local)| local);
    let step = step.trim_start_matches('@');
    match step.split_once('[') {
        Some((name, rest)) => {
            let index = rest.trim_end_matches(']');
            match index.parse::<usize>() {
                Ok(n) => format!("{name}[{}]", n.saturating_sub(1)),
                Err(_) => format!("{name}.where({index})"),
            }
        }
        None => step.to_owned(),
    }
}

/// Evaluates FHIRPath `expr` on `resource` and renders each result as text (primitives by
/// value, complex nodes as compact JSON).
///
/// # Errors
/// The compile or evaluation error's text.
pub fn evaluate_text(expr: &str, resource: &Value) -> Result<Vec<String>, String> {
    let model = r4_model();
    let ctx = Context::new(&model);
    let compiled = compile(expr).map_err(|e: FhirPathError| e.to_string())?;
    let result = evaluate(&compiled, resource, &ctx).map_err(|e| e.to_string())?;
    Ok(result
        .iter()
        .map(|item| match item.to_system(&model) {
            Some(value) => system_text(&value),
            None => item.json().map(Value::to_string).unwrap_or_default(),
        })
        .collect())
}

fn system_text(value: &SystemValue<'_>) -> String {
    match value {
        SystemValue::Boolean(b) => b.to_string(),
        SystemValue::String(s) => s.to_string(),
        SystemValue::Integer(i) => i.to_string(),
        SystemValue::Decimal(d) => d.to_string(),
        SystemValue::Date(d) | SystemValue::DateTime(d) => d.to_string(),
        SystemValue::Time(t) => t.to_string(),
        SystemValue::Quantity(q) => q.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn translates_xpath_with_prefixes_positions_and_value() {
        assert_eq!(to_fhirpath("fhir:Patient/fhir:id/@value"), "Patient.id");
        assert_eq!(
            to_fhirpath("/f:Bundle/f:entry[2]/f:resource/f:Patient/f:name/f:family/@value"),
            "Bundle.entry[1].resource.ofType(Patient).name.family"
        );
        assert_eq!(
            to_fhirpath("count(/f:Bundle/f:entry)"),
            "Bundle.entry.count()"
        );
    }

    #[test]
    fn translates_jsonpath_and_keeps_fhirpath() {
        assert_eq!(to_fhirpath("$.name[0].family"), "name[0].family");
        assert_eq!(to_fhirpath("Patient.name.family"), "Patient.name.family");
    }

    #[test]
    fn evaluates_to_text() {
        let p = json!({"resourceType": "Patient", "id": "a", "active": true, "name": [{"family": "X"}]});
        assert_eq!(evaluate_text("Patient.id", &p).unwrap(), vec!["a"]);
        assert_eq!(evaluate_text("active", &p).unwrap(), vec!["true"]);
        assert_eq!(evaluate_text("name.count()", &p).unwrap(), vec!["1"]);
        assert_eq!(
            evaluate_text("name", &p).unwrap(),
            vec![r#"{"family":"X"}"#]
        );
        assert!(evaluate_text("name.(", &p).is_err());
    }
}
