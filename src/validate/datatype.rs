//! Rules of particular datatypes checked natively: an Extension has a value or nested
//! extensions, never both (ext-1, <https://hl7.org/fhir/R4/extensibility.html>); a
//! `Reference.reference` is a literal reference (<https://hl7.org/fhir/R4/references.html#literal>).

use serde_json::{Map, Value};

use super::primitive::matches;
use super::walker::Walker;
use crate::model::Model;

impl Walker<'_> {
    /// ext-1: `extension.exists() != value.exists()`.
    pub(super) fn extension_shape(&mut self, obj: &Map<String, Value>) {
        let has_value = obj
            .keys()
            .any(|k| k.starts_with("value") || k.starts_with("_value"));
        let has_extensions = obj
            .get("extension")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if has_value == has_extensions {
            let msg = if has_value {
                "ext-1: an extension must not have both a value and extensions"
            } else {
                "ext-1: an extension must have a value or extensions"
            };
            self.error("invariant", msg.into());
        }
    }

    /// Checks the form of `Reference.reference` when it is a string.
    pub(super) fn reference_format(&mut self, obj: &Map<String, Value>) {
        let Some(reference) = obj.get("reference").and_then(Value::as_str) else {
            return;
        };
        if !reference_is_well_formed(self.model, reference) {
            let msg =
                format!("{reference:?} is not a relative, absolute, contained or urn reference");
            self.error_at("reference", "value", msg);
        }
    }
}

/// `true` for `#frag`, `urn:uuid:…`, `urn:oid:…`, an absolute URL, `Type/id` or
/// `Type/id/_history/vid` with a known resource type, or a conditional `Type?query`.
pub(super) fn reference_is_well_formed(model: &Model, reference: &str) -> bool {
    if reference.starts_with('#') {
        return !reference.contains(char::is_whitespace);
    }
    if reference.starts_with("urn:uuid:") {
        return matches("uuid", reference);
    }
    if reference.starts_with("urn:oid:") {
        return matches("oid", reference);
    }
    if reference.contains("://") {
        return !reference.contains(char::is_whitespace);
    }
    if let Some((ty, query)) = reference.split_once('?') {
        return model.is_resource_type(ty) && !query.is_empty();
    }
    let mut parts = reference.split('/');
    let (ty, id) = (parts.next(), parts.next());
    let tail: Vec<&str> = parts.collect();
    let known = ty.is_some_and(|t| model.is_resource_type(t));
    let id_ok = id.is_some_and(|i| matches("id", i));
    let tail_ok = match tail.as_slice() {
        [] => true,
        ["_history", v] => matches("id", v),
        _ => false,
    };
    known && id_ok && tail_ok
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::r4;
    use crate::validate::validate_base;

    #[test]
    fn reference_forms() {
        let ok = [
            "Patient/123",
            "Patient/123/_history/2",
            "#p1",
            "urn:uuid:c757873d-ec9a-4326-a141-556f43239520",
            "urn:oid:1.2.250.1.71",
            "http://example.org/fhir/Patient/1",
            "Patient?identifier=urn:oid:1.2|123",
        ];
        for r in ok {
            assert!(reference_is_well_formed(r4(), r), "{r}");
        }
        for r in [
            "Foo/1",
            "Patient",
            "Patient/a_b",
            "Patient/1/2",
            "urn:uuid:xyz",
        ] {
            assert!(!reference_is_well_formed(r4(), r), "{r}");
        }
    }

    fn errors(v: serde_json::Value) -> Vec<String> {
        validate_base(&v, None)
            .errors()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn extensions_have_a_value_or_extensions_not_both() {
        let ext =
            |e: serde_json::Value| errors(json!({"resourceType": "Patient", "extension": [e]}));
        assert!(ext(json!({"url": "http://x", "valueString": "a"})).is_empty());
        let both = ext(json!({"url": "http://x", "valueString": "a",
            "extension": [{"url": "y", "valueString": "b"}]}));
        assert_eq!(both.len(), 1, "{both:?}");
        assert!(both[0].contains("Patient.extension[0]") && both[0].contains("ext-1"));
        assert_eq!(ext(json!({"url": "http://x"})).len(), 1);
        let no_url = ext(json!({"valueString": "a"}));
        assert!(no_url[0].contains("Patient.extension[0].url"), "{no_url:?}");
    }

    #[test]
    fn bad_references_are_located() {
        let e = errors(json!({"resourceType": "Patient",
            "generalPractitioner": [{"reference": "Doctor/1"}]}));
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("Patient.generalPractitioner[0].reference"));
    }
}
