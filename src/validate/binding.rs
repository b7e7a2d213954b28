//! Required bindings to the core value sets (<https://hl7.org/fhir/R4/terminologies.html#required>).
//!
//! A `code` (or `string`/`uri`) must be in the expansion; a Coding, or each Coding of a
//! CodeableConcept, whose system is one of the value set's systems must be in it (codings of
//! other systems are left alone: the R4 rules allow translations). Value sets the model could
//! not expand are skipped.

use serde_json::Value;

use super::walker::Walker;
use crate::model::{BindingStrength, ElementRef, ValueSetDef};

impl Walker<'_> {
    /// Checks `value` of `el` against its required binding, if any.
    pub(super) fn binding(&mut self, el: ElementRef<'_>, value: &Value) {
        let binding = el.def().binding.as_ref().or(el.target().binding.as_ref());
        let Some(url) = binding
            .filter(|b| b.strength == BindingStrength::Required)
            .and_then(|b| b.value_set.as_deref())
        else {
            return;
        };
        let Some(vs) = self.model.value_set(url) else {
            return;
        };
        match el.type_code() {
            "code" | "string" | "uri" => {
                if let Some(code) = value.as_str().filter(|c| !vs.contains_code(c)) {
                    let msg = format!("{code:?} is not in the required value set {url}");
                    self.error("code-invalid", msg);
                }
            }
            "Coding" => self.coding(vs, value),
            "CodeableConcept" => {
                let codings = value.get("coding").and_then(Value::as_array);
                for (i, coding) in codings.into_iter().flatten().enumerate() {
                    let a = self.push_field("coding");
                    let b = self.push_index(i);
                    self.coding(vs, coding);
                    self.restore(b);
                    self.restore(a);
                }
            }
            _ => {}
        }
    }

    fn coding(&mut self, vs: &ValueSetDef, coding: &Value) {
        let system = coding.get("system").and_then(Value::as_str);
        let code = coding.get("code").and_then(Value::as_str);
        let (Some(system), Some(code)) = (system, code) else {
            return;
        };
        if vs.include.iter().any(|s| s.system == system) && !vs.contains(system, code) {
            let msg = format!(
                "{system}|{code} is not in the required value set {}",
                vs.url
            );
            self.error_at("code", "code-invalid", msg);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::validate_base;

    fn errors(v: serde_json::Value) -> Vec<String> {
        validate_base(&v, None)
            .errors()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn codes_must_be_in_required_value_sets() {
        assert!(errors(json!({"resourceType": "Patient", "gender": "female"})).is_empty());
        let e = errors(json!({"resourceType": "Patient", "gender": "F"}));
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("[code-invalid] Patient.gender"));
    }

    #[test]
    fn codings_of_the_value_set_systems_are_checked() {
        let obs = |system: &str, code: &str| {
            errors(
                json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                "dataAbsentReason": {"coding": [{"system": system, "code": code}]}}),
            )
        };
        let dar = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
        assert!(obs(dar, "unknown").is_empty());
        assert!(obs("http://other.org", "whatever").is_empty());
        // dataAbsentReason is extensible in R4: no error either way.
        assert!(obs(dar, "nope").is_empty());
        let e = errors(
            json!({"resourceType": "Patient", "contact": [{"name": {"text": "x"},
            "gender": "nope"}]}),
        );
        assert_eq!(e.len(), 1, "{e:?}");
        let e = errors(
            json!({"resourceType": "Patient", "communication": [{"language":
            {"coding": [{"system": "urn:ietf:bcp:47", "code": "fr-FR"}]}}]}),
        );
        assert!(e.is_empty(), "{e:?}");
    }
}
