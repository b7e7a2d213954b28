//! The properties of a JSON object against a type or backbone: unknown properties, choice
//! duplicates, `_x` companions, and minimum cardinality.
//! <https://hl7.org/fhir/R4/json.html>

use serde_json::{Map, Value};

use super::index::{Kind, Slot, TypeInfo};
use super::walker::{MAX_NESTING, Walker};
use crate::model::{TypeDef, TypeKind};

/// Which elements of a type were seen, by element index (the core types have at most 54).
#[derive(Default)]
pub(super) struct Seen {
    bits: [u64; 4],
}

impl Seen {
    /// Marks `index`; returns `true` when it was already marked.
    fn mark(&mut self, index: usize) -> bool {
        let Some(word) = self.bits.get_mut(index / 64) else {
            return false;
        };
        let bit = 1u64 << (index % 64);
        let was = *word & bit != 0;
        *word |= bit;
        was
    }

    fn has(&self, index: usize) -> bool {
        self.bits
            .get(index / 64)
            .is_none_or(|w| w & (1u64 << (index % 64)) != 0)
    }
}

impl Walker<'_> {
    /// Validates the properties of `obj` as an instance of type `ti` at the current location;
    /// `resource` is the nearest enclosing resource (for invariants).
    pub(super) fn object(&mut self, ti: &TypeInfo, obj: &Map<String, Value>, resource: &Value) {
        if self.depth >= MAX_NESTING {
            self.error(
                "too-costly",
                format!("nested deeper than {MAX_NESTING} levels"),
            );
            return;
        }
        self.depth += 1;
        self.properties(ti, obj, resource);
        self.depth -= 1;
    }

    fn properties(&mut self, ti: &TypeInfo, obj: &Map<String, Value>, resource: &Value) {
        let td = ti.td;
        let mut present = Seen::default();
        let mut chosen = Seen::default();
        for (key, value) in obj {
            if key == "resourceType" && td.kind == TypeKind::Resource {
                continue;
            }
            self.property(ti, obj, key, value, resource, &mut present, &mut chosen);
        }
        self.minimum_cardinality(td, &present);
        if td.kind != TypeKind::Resource && !obj.keys().any(|k| k != "id") {
            self.error(
                "invariant",
                "ele-1: an element must have a value or children".into(),
            );
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
    fn property(
        &mut self,
        ti: &TypeInfo,
        obj: &Map<String, Value>,
        key: &str,
        value: &Value,
        resource: &Value,
        present: &mut Seen,
        chosen: &mut Seen,
    ) {
        let (name, is_companion) = match key.strip_prefix('_') {
            Some(name) => (name, true),
            None => (key, false),
        };
        let Some(slot) = ti.slot(name) else {
            let msg = format!("unknown property {key:?} for {}", ti.td.name);
            self.error_at(key, "structure", msg);
            return;
        };
        let el = slot.el;
        present.mark(el.index());
        if is_companion {
            let primitive = matches!(slot.kind, Kind::Primitive(..));
            self.companion(
                primitive,
                el.is_array(),
                name,
                value,
                obj.get(name),
                resource,
            );
            return;
        }
        if el.is_choice() && chosen.mark(el.index()) {
            let msg = format!("several types given for the choice {}", el.def().path);
            self.error_at(key, "structure", msg);
        }
        self.element_values(slot, key, value, obj, resource);
    }

    /// Each element with `min > 0` must be present, as a value or as a `_x` companion.
    fn minimum_cardinality(&mut self, td: &TypeDef, present: &Seen) {
        for (i, el) in td.elements.iter().enumerate() {
            if el.min > 0 && !present.has(i) {
                let name = el.name();
                let msg = format!("missing required element {} (min {})", el.path, el.min);
                self.error_at(name, "required", msg);
            }
        }
    }

    /// The value(s) of one property: an array exactly when the element repeats.
    pub(super) fn element_values(
        &mut self,
        slot: &Slot,
        key: &str,
        value: &Value,
        obj: &Map<String, Value>,
        resource: &Value,
    ) {
        let el = slot.el;
        let mark = self.push_field(key);
        match (el.is_array(), value) {
            (true, Value::Array(items)) => {
                if items.is_empty() {
                    self.error("structure", "an array must not be empty".into());
                }
                for (i, item) in items.iter().enumerate() {
                    let m = self.push_index(i);
                    if item.is_null() {
                        self.null_item(key, i, obj);
                    } else {
                        self.value(slot, item, resource);
                    }
                    self.restore(m);
                }
            }
            (true, _) => {
                let msg = format!("{} repeats: it must be an array", el.def().path);
                self.error("structure", msg);
            }
            (false, Value::Array(_)) => {
                let msg = format!("{} has max 1: it must not be an array", el.def().path);
                self.error("structure", msg);
            }
            (false, _) => self.value(slot, value, resource),
        }
        self.restore(mark);
    }

    /// A `null` in a primitive array is allowed only where the `_x` companion has an entry.
    fn null_item(&mut self, key: &str, index: usize, obj: &Map<String, Value>) {
        let companion = obj
            .get(&format!("_{key}"))
            .and_then(Value::as_array)
            .and_then(|a| a.get(index));
        if companion.is_none_or(Value::is_null) {
            self.error(
                "structure",
                "null is allowed only where the _ companion has an entry".into(),
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
    fn unknown_properties_are_reported_with_their_location() {
        let e = errors(json!({"resourceType": "Patient", "name": [{"family": "X", "foo": 1}]}));
        assert_eq!(
            e,
            ["error [structure] Patient.name[0].foo: unknown property \"foo\" for HumanName"]
        );
    }

    #[test]
    fn arrays_exactly_where_the_element_repeats() {
        let e = errors(
            json!({"resourceType": "Patient", "birthDate": ["2000"], "name": {"family": "X"}}),
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("Patient.birthDate") && e[1].contains("Patient.name"));
        assert_eq!(
            errors(json!({"resourceType": "Patient", "name": []})).len(),
            1
        );
    }

    #[test]
    fn two_types_of_one_choice_are_an_error() {
        let e = errors(json!({"resourceType": "Patient", "deceasedBoolean": true,
            "deceasedDateTime": "2020"}));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("choice"));
    }

    #[test]
    fn required_elements_count_their_companion() {
        let e = errors(json!({"resourceType": "Observation", "code": {"text": "x"}}));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("Observation.status") && e[0].contains("required"));
        let ext = json!([{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
            "valueCode": "unknown"}]);
        assert!(
            errors(json!({"resourceType": "Observation", "code": {"text": "x"},
            "_status": {"extension": ext}}))
            .is_empty()
        );
    }

    #[test]
    fn empty_elements_break_ele_1() {
        let e = errors(json!({"resourceType": "Patient", "maritalStatus": {}}));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("ele-1"));
    }

    #[test]
    fn nulls_only_align_with_companions() {
        let ok = json!({"resourceType": "Patient", "name": [{"given": ["A", null],
            "_given": [null, {"extension": [{"url": "http://x", "valueString": "y"}]}]}]});
        assert!(errors(ok).is_empty());
        let bad = json!({"resourceType": "Patient", "name": [{"given": ["A", null]}]});
        assert_eq!(errors(bad).len(), 1);
    }
}
