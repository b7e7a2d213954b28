//! `${name}` substitution in URLs, parameters, header values and fixture bodies
//! (<https://hl7.org/fhir/R4/testscript.html#variables>).

use serde_json::Value;

/// Replaces every `${name}` in `text` for which `lookup` returns a value; unknown names and
/// unterminated `${` are kept verbatim so the failure shows in the request.
pub fn substitute(text: &str, lookup: &mut dyn FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match lookup(name) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[start..start + 3 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Applies [`substitute`] to every string (keys excluded) of a JSON tree, in place.
pub fn substitute_json(value: &mut Value, lookup: &mut dyn FnMut(&str) -> Option<String>) {
    match value {
        Value::String(s) if s.contains("${") => *s = substitute(s, lookup),
        Value::Array(items) => items.iter_mut().for_each(|v| substitute_json(v, lookup)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute_json(v, lookup)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(name: &str) -> Option<String> {
        match name {
            "id" => Some("42".into()),
            "family" => Some("Chalmers".into()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_known_variables_and_keeps_unknown_ones() {
        let out = substitute("Patient/${id}?name=${family}&x=${nope}", &mut vars);
        assert_eq!(out, "Patient/42?name=Chalmers&x=${nope}");
    }

    #[test]
    fn keeps_unterminated_reference() {
        assert_eq!(substitute("a${id", &mut vars), "a${id");
        assert_eq!(substitute("${id}${id}", &mut vars), "4242");
    }

    #[test]
    fn substitutes_inside_json_strings_only() {
        let mut v = json!({"id": "${id}", "name": [{"family": "${family}"}], "n": 1});
        substitute_json(&mut v, &mut vars);
        assert_eq!(
            v,
            json!({"id": "42", "name": [{"family": "Chalmers"}], "n": 1})
        );
    }
}
