//! A whole resource: `resourceType`, its elements, contained-resource rules and the resource
//! type's invariants (`dom-2`..`dom-6`, `bdl-*`, ...).
//! <https://hl7.org/fhir/R4/json.html#resources>, <https://hl7.org/fhir/R4/references.html#contained>

use serde_json::Value;

use super::index::index;
use super::walker::{Nesting, Walker, json_kind};

impl Walker<'_> {
    /// Validates `value` as a resource at the current location; at the root the location
    /// starts with the resource type (`Patient`), elsewhere it is the holding element
    /// (`Bundle.entry[0].resource`).
    pub(super) fn resource(&mut self, value: &Value, nesting: Nesting) {
        let Some(obj) = value.as_object() else {
            let kind = json_kind(value);
            self.error(
                "structure",
                format!("a resource must be a JSON object, not {kind}"),
            );
            return;
        };
        let Some(rt) = obj.get("resourceType").and_then(Value::as_str) else {
            self.error("required", "resourceType is missing or not a string".into());
            return;
        };
        let model = self.model;
        let Some(ti) = index().type_info(rt).filter(|_| model.is_resource_type(rt)) else {
            self.error("not-supported", format!("unknown resource type {rt:?}"));
            return;
        };
        let root = self.location().is_empty();
        let mark = if root { self.push_field(rt) } else { 0 };
        if nesting == Nesting::Contained {
            self.contained_rules(obj);
        }
        self.object(ti, obj, value);
        if nesting == Nesting::Top {
            self.local_references(obj);
        }
        self.type_invariants(ti.td, value, value);
        if root {
            self.restore(mark);
        }
    }

    /// A contained resource has an id and contains nothing itself (dom-2 and
    /// <https://hl7.org/fhir/R4/references.html#contained>).
    fn contained_rules(&mut self, obj: &serde_json::Map<String, Value>) {
        if !obj.get("id").is_some_and(Value::is_string) {
            self.error("required", "a contained resource must have an id".into());
        }
        if obj.contains_key("contained") {
            self.error_at(
                "contained",
                "invalid",
                "a contained resource must not contain resources (dom-2)".into(),
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

    #[test]
    fn non_objects_and_unknown_types_are_rejected() {
        assert_eq!(errors(json!([1])).len(), 1);
        assert!(errors(json!({"id": "x"}))[0].contains("resourceType"));
        assert!(errors(json!({"resourceType": "Foo"}))[0].contains("unknown resource type"));
        assert!(errors(json!({"resourceType": "DomainResource"}))[0].contains("unknown"));
    }

    #[test]
    fn contained_resources_need_ids_and_no_nesting() {
        let e = errors(
            json!({"resourceType": "Patient", "managingOrganization": {"reference": "#o"},
                "contained": [
                {"resourceType": "Organization", "name": "x"},
                {"resourceType": "Organization", "id": "o", "contained": [
                    {"resourceType": "Organization", "id": "p", "name": "y"}]}
            ]}),
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("Patient.contained[0]") && e[0].contains("id"));
        assert!(e[1].contains("Patient.contained[1].contained"));
    }

    #[test]
    fn bundle_entries_are_validated_recursively() {
        let e = errors(
            json!({"resourceType": "Bundle", "type": "collection", "entry": [
                {"resource": {"resourceType": "Patient", "birthDate": "1990-13-01"}}
            ]}),
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("Bundle.entry[0].resource.birthDate"));
    }
}
