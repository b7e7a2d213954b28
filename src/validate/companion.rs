//! `_x` companions of primitive elements: an object with `id` and `extension`, or for a
//! repeating element an array aligned with the values, `null` where an item has none.
//! <https://hl7.org/fhir/R4/json.html#primitive>

use serde_json::{Map, Value};

use super::index::index;
use super::walker::{Walker, json_kind};

impl Walker<'_> {
    /// Validates the companion `_name` of an element (`primitive`, repeating when `array`),
    /// whose value (if any) is `sibling`.
    pub(super) fn companion(
        &mut self,
        primitive: bool,
        array: bool,
        name: &str,
        companion: &Value,
        sibling: Option<&Value>,
        resource: &Value,
    ) {
        if !primitive {
            let msg = format!("_{name} is allowed only for a primitive element");
            self.error_at(&format!("_{name}"), "structure", msg);
            return;
        }
        let mark = self.push_field(name);
        match (array, companion) {
            (true, Value::Array(items)) => self.companion_items(items, sibling, resource),
            (false, Value::Object(obj)) => self.companion_object(obj, sibling.is_some(), resource),
            (true, other) => {
                let msg = format!("_{name} must be an array, not {}", json_kind(other));
                self.error("structure", msg);
            }
            (false, other) => {
                let msg = format!("_{name} must be an object, not {}", json_kind(other));
                self.error("structure", msg);
            }
        }
        self.restore(mark);
    }

    fn companion_items(&mut self, items: &[Value], sibling: Option<&Value>, resource: &Value) {
        let values = sibling.and_then(Value::as_array);
        if let Some(values) = values.filter(|v| v.len() != items.len()) {
            let msg = format!(
                "the _ companion has {} items but the values {}",
                items.len(),
                values.len()
            );
            self.error("structure", msg);
        }
        for (i, item) in items.iter().enumerate() {
            let has_value = values.and_then(|v| v.get(i)).is_some_and(|v| !v.is_null());
            let mark = self.push_index(i);
            match item {
                Value::Null if !has_value => {
                    self.error("structure", "neither a value nor a _ companion".into());
                }
                Value::Null => {}
                Value::Object(obj) => self.companion_object(obj, has_value, resource),
                other => {
                    let msg = format!(
                        "a _ companion item must be an object, not {}",
                        json_kind(other)
                    );
                    self.error("structure", msg);
                }
            }
            self.restore(mark);
        }
    }

    /// `id` and `extension` only; without a value there must be extensions (ele-1).
    fn companion_object(&mut self, obj: &Map<String, Value>, has_value: bool, resource: &Value) {
        let element = index().type_info("Element");
        for (key, value) in obj {
            match (key.as_str(), element.and_then(|e| e.slot(key))) {
                ("id" | "extension", Some(slot)) => {
                    self.element_values(slot, key, value, obj, resource);
                }
                _ => {
                    let msg = format!("unknown property {key:?} in a _ companion");
                    self.error_at(key, "structure", msg);
                }
            }
        }
        if !has_value && !obj.contains_key("extension") {
            self.error(
                "invariant",
                "ele-1: a primitive without a value must have extensions".into(),
            );
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

    const EXT: &str = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";

    #[test]
    fn companions_hold_id_and_extensions() {
        let ext = json!([{"url": EXT, "valueDateTime": "2000-01-01T10:00:00Z"}]);
        let ok = json!({"resourceType": "Patient", "birthDate": "2000-01-01",
            "_birthDate": {"id": "b", "extension": ext}});
        assert!(errors(ok).is_empty());
        let bad = json!({"resourceType": "Patient", "_birthDate": {"foo": 1}});
        let e = errors(bad);
        assert_eq!(e.len(), 2, "{e:?}"); // foo is unknown, and there is no value nor extension
        assert!(e[0].contains("Patient.birthDate.foo"));
    }

    #[test]
    fn companions_only_for_primitives_and_aligned() {
        let e = errors(json!({"resourceType": "Patient", "_name": [{"id": "x"}]}));
        assert_eq!(e.len(), 1, "{e:?}");
        let e = errors(
            json!({"resourceType": "Patient", "name": [{"given": ["a", "b"],
            "_given": [{"id": "x"}]}]}),
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("companion has 1 items"));
    }
}
