//! A snapshot from a differential over the base snapshot, simplified
//! (<https://hl7.org/fhir/R4/profiling.html#snapshot>): an element of the differential with an
//! id of the base is merged into it (its keys win, constraints are added); a new slice, or a
//! new element inside a slice, is the base element of the same path merged with the
//! differential, placed after the subtree it belongs to; an element the base snapshot does not
//! list (a datatype's child) is the differential element alone. Children of the base are not copied
//! under new slices: validation applies the sliced element's children to every slice anyway.

use serde_json::{Map, Value};

/// The snapshot elements of `profile` derived from `base` (which has a snapshot); `None`
/// when the base has no snapshot.
pub(super) fn snapshot_elements(base: &Value, profile: &Value) -> Option<Vec<Value>> {
    let mut elements = base.pointer("/snapshot/element")?.as_array()?.clone();
    let diff = profile
        .pointer("/differential/element")
        .and_then(Value::as_array);
    for d in diff.into_iter().flatten() {
        let Some(id) = d.get("id").and_then(Value::as_str) else {
            continue;
        };
        if let Some(existing) = elements.iter_mut().find(|e| id_of(e) == Some(id)) {
            merge(existing, d);
            continue;
        }
        let Some(path) = d.get("path").and_then(Value::as_str) else {
            continue;
        };
        // A child of a datatype (`Patient.identifier.system`) is not in the base snapshot: the
        // differential element alone then defines it (base validation knows its type).
        let template = elements.iter().find(|e| id_of(e) == Some(path)).cloned();
        let mut element = template.unwrap_or_else(|| Value::Object(Map::new()));
        merge(&mut element, d);
        let at = insertion_point(&elements, id);
        elements.insert(at, element);
    }
    Some(elements)
}

fn id_of(e: &Value) -> Option<&str> {
    e.get("id").and_then(Value::as_str)
}

/// After the last element whose id is the parent id (id minus its last `.` or `:` part) or
/// lies under it.
fn insertion_point(elements: &[Value], id: &str) -> usize {
    let cut = id.rfind(['.', ':']).unwrap_or(0);
    let parent = &id[..cut];
    let under = |e: &Value| {
        id_of(e).is_some_and(|x| {
            x == parent
                || x.strip_prefix(parent)
                    .is_some_and(|r| r.starts_with(['.', ':']))
        })
    };
    elements
        .iter()
        .rposition(under)
        .map_or(elements.len(), |i| i + 1)
}

fn merge(target: &mut Value, diff: &Value) {
    let (Some(t), Some(d)) = (target.as_object_mut(), diff.as_object()) else {
        return;
    };
    for (k, v) in d {
        if k == "constraint" {
            append(t, k, v);
        } else {
            t.insert(k.clone(), v.clone());
        }
    }
}

fn append(t: &mut Map<String, Value>, key: &str, v: &Value) {
    let extra = v.as_array().cloned().unwrap_or_default();
    match t.get_mut(key) {
        Some(Value::Array(items)) => items.extend(extra),
        _ => {
            t.insert(key.to_owned(), Value::Array(extra));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn differentials_merge_and_insert_slices() {
        let base = json!({"snapshot": {"element": [
            {"id": "Patient", "path": "Patient", "min": 0, "max": "*"},
            {"id": "Patient.identifier", "path": "Patient.identifier", "min": 0, "max": "*"},
            {"id": "Patient.identifier.system", "path": "Patient.identifier.system", "min": 0, "max": "1"},
            {"id": "Patient.name", "path": "Patient.name", "min": 0, "max": "*"}]}});
        let profile = json!({"differential": {"element": [
            {"id": "Patient.identifier", "path": "Patient.identifier", "min": 1},
            {"id": "Patient.identifier:INS", "path": "Patient.identifier", "sliceName": "INS", "max": "1"},
            {"id": "Patient.identifier:INS.system", "path": "Patient.identifier.system", "fixedUri": "urn:x"}]}});
        let els = snapshot_elements(&base, &profile).unwrap();
        let ids: Vec<&str> = els.iter().filter_map(id_of).collect();
        assert_eq!(
            ids,
            [
                "Patient",
                "Patient.identifier",
                "Patient.identifier.system",
                "Patient.identifier:INS",
                "Patient.identifier:INS.system",
                "Patient.name"
            ]
        );
        assert_eq!(els[1]["min"], 1);
        assert_eq!(els[3]["max"], "1");
        assert_eq!(els[4]["fixedUri"], "urn:x");
    }
}
