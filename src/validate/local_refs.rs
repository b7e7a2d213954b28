//! Local references, natively: a `#id` reference must name a contained resource (ref-1), and
//! each contained resource must be referenced from elsewhere in its container or refer to
//! the container with `#` (dom-3). <https://hl7.org/fhir/R4/references.html#contained>
//!
//! Nested resources other than `contained` (Bundle entries, Parameters resources) are their
//! own containers and are skipped here.

use serde_json::{Map, Value};

use super::walker::Walker;

/// The scan state: contained ids and whether each is referenced.
struct Scan<'v> {
    ids: Vec<&'v str>,
    used: Vec<bool>,
}

impl Walker<'_> {
    /// Checks ref-1 and dom-3 over the top-level resource `obj` at the current location.
    pub(super) fn local_references(&mut self, obj: &Map<String, Value>) {
        let contained = obj.get("contained").and_then(Value::as_array);
        let contained = contained.map(Vec::as_slice).unwrap_or_default();
        let ids = contained
            .iter()
            .map(|c| c.get("id").and_then(Value::as_str).unwrap_or_default())
            .collect::<Vec<_>>();
        let mut scan = Scan {
            used: vec![false; ids.len()],
            ids,
        };
        for (key, value) in obj.iter().filter(|(k, _)| *k != "contained") {
            let mark = self.push_field(key);
            self.scan(value, &mut scan, None);
            self.restore(mark);
        }
        for (i, c) in contained.iter().enumerate() {
            let a = self.push_field("contained");
            let b = self.push_index(i);
            if let Some(c) = c.as_object() {
                for (key, value) in c {
                    let mark = self.push_field(key);
                    self.scan(value, &mut scan, Some(i));
                    self.restore(mark);
                }
            }
            // Without an id it cannot be referenced: reported as a missing id only.
            if scan.used.get(i) == Some(&false) && scan.ids.get(i).is_some_and(|id| !id.is_empty())
            {
                let msg = "dom-3: a contained resource must be referenced from its container";
                self.error("invariant", msg.into());
            }
            self.restore(b);
            self.restore(a);
        }
    }

    /// Marks the contained resources `value` refers to; `within` is the contained resource
    /// being scanned, if any.
    fn scan(&mut self, value: &Value, scan: &mut Scan<'_>, within: Option<usize>) {
        match value {
            Value::Object(obj) if obj.contains_key("resourceType") => {}
            Value::Object(obj) => {
                for (key, v) in obj {
                    let mark = self.push_field(key);
                    if key == "reference" {
                        self.local_reference(v, scan, within);
                    } else {
                        self.scan(v, scan, within);
                    }
                    self.restore(mark);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mark = self.push_index(i);
                    self.scan(item, scan, within);
                    self.restore(mark);
                }
            }
            // A canonical (`Questionnaire.item.answerValueSet`) may name a contained resource.
            Value::String(s) => mark(scan, s, within),
            _ => {}
        }
    }

    fn local_reference(&mut self, value: &Value, scan: &mut Scan<'_>, within: Option<usize>) {
        let Some(s) = value.as_str().filter(|s| s.starts_with('#')) else {
            return;
        };
        if s.len() > 1 && !scan.ids.contains(&&s[1..]) {
            let msg = format!("ref-1: {s:?} names no contained resource");
            self.error("invariant", msg);
        }
        mark(scan, s, within);
    }
}

/// `#id` marks contained `id`; `#` marks the contained resource that refers to its container.
fn mark(scan: &mut Scan<'_>, s: &str, within: Option<usize>) {
    let Some(frag) = s.strip_prefix('#') else {
        return;
    };
    let index = if frag.is_empty() {
        within
    } else {
        scan.ids.iter().position(|id| *id == frag)
    };
    if let Some(used) = index.and_then(|i| scan.used.get_mut(i)) {
        *used = true;
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
    fn local_references_name_contained_resources() {
        let org = json!({"resourceType": "Organization", "id": "o", "name": "x"});
        let ok = json!({"resourceType": "Patient", "contained": [org],
            "managingOrganization": {"reference": "#o"}});
        assert!(errors(ok).is_empty());
        let e = errors(json!({"resourceType": "Patient", "contained": [org],
            "managingOrganization": {"reference": "#p"}}));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("Patient.managingOrganization.reference") && e[0].contains("ref-1"));
        assert!(e[1].contains("Patient.contained[0]") && e[1].contains("dom-3"));
    }

    #[test]
    fn contained_may_refer_to_the_container_or_each_other() {
        let a = json!({"resourceType": "Provenance", "id": "a", "recorded": "2020-01-01T00:00:00Z",
            "target": [{"reference": "#"}], "agent": [{"who": {"reference": "#b"}}]});
        let b = json!({"resourceType": "Practitioner", "id": "b"});
        assert!(errors(json!({"resourceType": "Patient", "contained": [a, b]})).is_empty());
    }
}
