//! The `minimumId` rule: the response must contain at least the fixture's content.

use serde_json::Value;

/// `Ok` when every element of `minimum` is in `actual` (objects by member, arrays by
/// each expected item matching some actual item, scalars equal); `Err` with the first
/// path that does not match. `id` and `meta` of the minimum resource are ignored.
pub fn contains_minimum(actual: &Value, minimum: &Value) -> Result<(), String> {
    let Value::Object(min) = minimum else {
        return subset(actual, minimum, "");
    };
    for (key, expected) in min {
        if matches!(key.as_str(), "id" | "meta" | "text") {
            continue;
        }
        let found = actual.get(key).ok_or_else(|| key.clone())?;
        subset(found, expected, key)?;
    }
    Ok(())
}

fn subset(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(k, v)| {
            let here = format!("{path}.{k}");
            subset(a.get(k).ok_or_else(|| here.clone())?, v, &here)
        }),
        (Value::Array(a), Value::Array(e)) => e.iter().enumerate().try_for_each(|(i, v)| {
            let here = format!("{path}[{i}]");
            a.iter()
                .any(|x| subset(x, v, &here).is_ok())
                .then_some(())
                .ok_or(here)
        }),
        (a, e) if a == e => Ok(()),
        _ => Err(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_supersets_and_reports_the_first_difference() {
        let actual = json!({"resourceType": "Patient", "id": "9", "name": [{"family": "A", "given": ["B", "C"]}], "active": true});
        let min = json!({"resourceType": "Patient", "id": "x", "name": [{"given": ["C"]}]});
        assert!(contains_minimum(&actual, &min).is_ok());
        let min = json!({"resourceType": "Patient", "name": [{"family": "Z"}]});
        assert_eq!(contains_minimum(&actual, &min), Err("name[0]".into()));
        assert_eq!(
            contains_minimum(&actual, &json!({"gender": "male"})),
            Err("gender".into())
        );
    }
}
