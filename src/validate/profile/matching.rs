//! Instance navigation and value comparison for profiles: simple FHIRPath-like paths of
//! discriminators (`system`, `coding.code`, `$this`, `extension('url').value`) and
//! fixed/pattern matching (<https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.pattern_x_>).

use serde_json::Value;

/// `true` when the JSON property `key` holds element `name`: equal, or for a choice the name
/// followed by a type suffix (`valueQuantity`).
pub(super) fn key_is(key: &str, name: &str, is_choice: bool) -> bool {
    match key.strip_prefix(name) {
        Some("") => !is_choice,
        Some(rest) => is_choice && rest.starts_with(|c: char| c.is_ascii_uppercase()),
        None => false,
    }
}

/// `true` when a choice suffix (`Quantity`, `String`) names type `code` (`Quantity`, `string`).
pub(super) fn suffix_is_type(suffix: &str, code: &str) -> bool {
    let (mut s, mut c) = (suffix.chars(), code.chars());
    match (s.next(), c.next()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(&b) && s.as_str() == c.as_str(),
        _ => false,
    }
}

/// The url of `extension('url')`, when `segment` is that function call.
pub(super) fn extension_call(segment: &str) -> Option<&str> {
    segment.strip_prefix("extension('")?.strip_suffix("')")
}

/// The values at `path` below `value` (arrays flattened); empty when the path uses functions
/// other than `extension('url')`.
pub(super) fn resolve<'v>(value: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![value];
    if path == "$this" {
        return current;
    }
    for segment in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            step(v, segment, &mut next);
        }
        current = next;
    }
    current
}

fn step<'v>(v: &'v Value, segment: &str, out: &mut Vec<&'v Value>) {
    let Some(obj) = v.as_object() else { return };
    if let Some(url) = extension_call(segment) {
        let items = obj.get("extension").and_then(Value::as_array);
        let matching = items.into_iter().flatten();
        out.extend(matching.filter(|e| e.get("url").and_then(Value::as_str) == Some(url)));
        return;
    }
    if segment.contains('(') {
        return;
    }
    for (key, value) in obj {
        if key == segment || key_is(key, segment, true) {
            match value {
                Value::Array(items) => out.extend(items.iter()),
                other => out.push(other),
            }
        }
    }
}

/// `true` when `value` matches `pattern`: objects recursively on the pattern's properties,
/// arrays item by item (each pattern item matched by some value item), primitives equal.
pub(super) fn pattern_matches(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::Object(p), Value::Object(v)) => p
            .iter()
            .all(|(k, pv)| v.get(k).is_some_and(|vv| pattern_matches(pv, vv))),
        (Value::Array(p), Value::Array(v)) => p
            .iter()
            .all(|pi| v.iter().any(|vi| pattern_matches(pi, vi))),
        (Value::Array(_), _) => false,
        (_, Value::Array(v)) => v.iter().any(|vi| pattern_matches(pattern, vi)),
        (Value::Number(a), Value::Number(b)) => numbers_equal(a.as_str(), b.as_str()),
        (p, v) => p == v,
    }
}

/// Compares decimal texts by value when both parse as f64 (1.0 = 1.00), else textually.
fn numbers_equal(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() < f64::EPSILON * x.abs().max(1.0),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_and_suffixes() {
        assert!(key_is("valueQuantity", "value", true) && !key_is("value", "value", true));
        assert!(key_is("system", "system", false) && !key_is("systemX", "system", false));
        assert!(!key_is("valueset", "value", true));
        assert!(suffix_is_type("String", "string") && suffix_is_type("Quantity", "Quantity"));
        assert!(!suffix_is_type("Quantity", "string"));
    }

    #[test]
    fn paths_resolve_through_arrays_and_extensions() {
        let v = json!({"coding": [{"system": "a", "code": "1"}, {"system": "b", "code": "2"}],
            "extension": [{"url": "u", "valueCode": "x"}, {"url": "w", "valueCode": "y"}]});
        assert_eq!(resolve(&v, "coding.system"), [&json!("a"), &json!("b")]);
        assert_eq!(resolve(&v, "extension('w').value"), [&json!("y")]);
        assert_eq!(resolve(&v, "$this"), [&v]);
        assert!(resolve(&v, "resolve()").is_empty());
    }

    #[test]
    fn patterns_match_subsets() {
        let p = json!({"coding": [{"system": "s", "code": "c"}]});
        let v = json!({"coding": [{"system": "o", "code": "x"}, {"system": "s", "code": "c",
            "display": "d"}], "text": "t"});
        assert!(pattern_matches(&p, &v));
        assert!(!pattern_matches(
            &p,
            &json!({"coding": [{"system": "s", "code": "d"}]})
        ));
        assert!(pattern_matches(&json!("a"), &json!(["b", "a"])));
        assert!(pattern_matches(&json!(1.0), &json!(1)));
    }
}
