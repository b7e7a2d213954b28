//! Value set filters (`compose.include.filter`) over a complete CodeSystem the server holds
//! (<https://hl7.org/fhir/R4/valueset.html#filters>): `is-a`, `descendent-of`, `is-not-a`, `in`,
//! `not-in`, `=` (on `concept`/`code` or on a concept property), `exists` and `regex`. The
//! hierarchy is the concepts' nesting and their `parent` property. An operation outside these
//! makes the include not expandable (`None`), as an unknown system does.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// One concept of a code system, flattened.
struct Flat {
    code: String,
    parents: Vec<String>,
    properties: Vec<(String, String)>,
}

fn flatten(concepts: &[Value], parent: Option<&str>, out: &mut Vec<Flat>) {
    for c in concepts {
        let Some(code) = c.get("code").and_then(Value::as_str) else {
            continue;
        };
        let mut properties = Vec::new();
        let mut parents: Vec<String> = parent.into_iter().map(str::to_owned).collect();
        for p in c
            .get("property")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = p.get("code").and_then(Value::as_str) else {
                continue;
            };
            let value = [
                "valueCode",
                "valueString",
                "valueBoolean",
                "valueInteger",
                "valueDateTime",
            ]
            .iter()
            .find_map(|k| p.get(*k))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            if let Some(value) = value {
                if name == "parent" {
                    parents.push(value.clone());
                }
                properties.push((name.to_owned(), value));
            }
        }
        out.push(Flat {
            code: code.to_owned(),
            parents,
            properties,
        });
        if let Some(nested) = c.get("concept").and_then(Value::as_array) {
            flatten(nested, Some(code), out);
        }
    }
}

/// `root` and every concept under it.
fn subsumed(flat: &[Flat], root: &str) -> HashSet<String> {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for f in flat {
        for p in &f.parents {
            children.entry(p.as_str()).or_default().push(&f.code);
        }
    }
    let mut out = HashSet::new();
    let mut todo = vec![root];
    while let Some(code) = todo.pop() {
        if out.insert(code.to_owned()) {
            todo.extend(children.get(code).into_iter().flatten());
        }
    }
    out
}

/// The codes of `concepts` (a CodeSystem's `concept`) that pass every filter of `filters`, or
/// `None` when a filter is not understood.
pub(super) fn select(concepts: &[Value], filters: &[Value]) -> Option<Vec<String>> {
    let mut flat = Vec::new();
    flatten(concepts, None, &mut flat);
    let mut keep: Vec<bool> = vec![true; flat.len()];
    for filter in filters {
        let property = filter.get("property").and_then(Value::as_str)?;
        let op = filter.get("op").and_then(Value::as_str)?;
        let value = filter.get("value").and_then(Value::as_str)?;
        let on_code = matches!(property, "concept" | "code");
        let pass: Box<dyn Fn(&Flat) -> bool> = match (op, on_code) {
            ("is-a", true) => {
                let s = subsumed(&flat, value);
                Box::new(move |f| s.contains(&f.code))
            }
            ("descendent-of", true) => {
                let s = subsumed(&flat, value);
                Box::new(move |f| f.code != value && s.contains(&f.code))
            }
            ("is-not-a", true) => {
                let s = subsumed(&flat, value);
                Box::new(move |f| !s.contains(&f.code))
            }
            ("in" | "not-in", true) => {
                let listed: HashSet<&str> = value.split(',').map(str::trim).collect();
                let inside = op == "in";
                Box::new(move |f| listed.contains(f.code.as_str()) == inside)
            }
            ("=", true) => Box::new(move |f| f.code == value),
            ("regex", true) => {
                let re = regex::Regex::new(&format!("^(?:{value})$")).ok()?;
                Box::new(move |f| re.is_match(&f.code))
            }
            ("=", false) => Box::new(move |f| {
                f.properties
                    .iter()
                    .any(|(p, v)| p == property && v == value)
            }),
            ("exists", false) => {
                let wanted = value == "true";
                Box::new(move |f| f.properties.iter().any(|(p, _)| p == property) == wanted)
            }
            ("regex", false) => {
                let re = regex::Regex::new(&format!("^(?:{value})$")).ok()?;
                Box::new(move |f| {
                    f.properties
                        .iter()
                        .any(|(p, v)| p == property && re.is_match(v))
                })
            }
            _ => return None,
        };
        for (k, f) in keep.iter_mut().zip(&flat) {
            *k = *k && pass(f);
        }
    }
    Some(
        flat.into_iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(f, _)| f.code)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn codes(filters: Value) -> Option<Vec<String>> {
        let concepts = json!([
            {"code": "a", "concept": [{"code": "a1", "concept": [{"code": "a11"}]}]},
            {"code": "b", "property": [{"code": "status", "valueCode": "retired"}]},
            {"code": "c", "property": [{"code": "parent", "valueCode": "b"}]}
        ]);
        let mut v = select(concepts.as_array().unwrap(), filters.as_array().unwrap())?;
        v.sort();
        Some(v)
    }

    #[test]
    fn hierarchy_list_property_and_regex_filters() {
        let f = |op: &str, value: &str| json!([{"property": "concept", "op": op, "value": value}]);
        assert_eq!(codes(f("is-a", "a")).unwrap(), ["a", "a1", "a11"]);
        assert_eq!(codes(f("descendent-of", "a")).unwrap(), ["a1", "a11"]);
        assert_eq!(codes(f("is-a", "b")).unwrap(), ["b", "c"]);
        assert_eq!(codes(f("is-not-a", "a")).unwrap(), ["b", "c"]);
        assert_eq!(codes(f("in", "a, c")).unwrap(), ["a", "c"]);
        assert_eq!(codes(f("regex", "a.*")).unwrap(), ["a", "a1", "a11"]);
        let retired = json!([{"property": "status", "op": "=", "value": "retired"}]);
        assert_eq!(codes(retired).unwrap(), ["b"]);
        let both = json!([{"property": "concept", "op": "is-a", "value": "a"},
            {"property": "concept", "op": "not-in", "value": "a"}]);
        assert_eq!(codes(both).unwrap(), ["a1", "a11"]);
        assert!(codes(f("generalizes", "a11")).is_none());
    }
}
