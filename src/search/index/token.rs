//! Token values (<https://hl7.org/fhir/R4/search.html#token>): `system|code`, with the
//! display or text kept (normalised) for `:text`.

use serde_json::Value;

use super::IndexValue;
use super::convert::{Data, Out, field, text};
use crate::search::values::normalize_string;

/// Token search over code-like primitives (code only), Coding, CodeableConcept (one token
/// per coding, plus a code-less token carrying `text` when no coding's display equals it),
/// Identifier (`system|value`, type text) and ContactPoint (value). Other types give nothing.
pub(super) fn token(data: &Data<'_>, out: &mut Out<'_>) {
    let json = data.json.as_ref();
    match data.ty {
        "Coding" => coding(json, None, out),
        "CodeableConcept" => codeable_concept(json, out),
        "Identifier" => identifier(json, out),
        "ContactPoint" => {
            if let Some(value) = field(json, "value") {
                push(out, "", value, String::new());
            }
        }
        _ => {
            if let Some(code) = text(json) {
                push(out, "", code, String::new());
            }
        }
    }
}

/// The token of an Identifier: `system|value`, `text` from `Identifier.type.text`.
pub(super) fn identifier_value(json: &Value) -> Option<IndexValue> {
    let system = field(json, "system").unwrap_or_default();
    let value = field(json, "value").unwrap_or_default();
    if system.is_empty() && value.is_empty() {
        return None;
    }
    let type_text = json.get("type").and_then(|t| field(t, "text"));
    Some(IndexValue::Token {
        system: system.to_owned(),
        code: value.to_owned(),
        text: type_text.map(normalize_string).unwrap_or_default(),
    })
}

fn identifier(json: &Value, out: &mut Out<'_>) {
    if let Some(value) = identifier_value(json) {
        out.push(value);
    }
    of_type(json, out);
}

/// `<code>:of-type` rows: one per `Identifier.type.coding`, system and `code|value`, for
/// `identifier:of-type=system|code|value`.
fn of_type(json: &Value, out: &mut Out<'_>) {
    let Some(value) = field(json, "value") else {
        return;
    };
    let codings = json
        .get("type")
        .and_then(|t| t.get("coding"))
        .and_then(Value::as_array);
    for c in codings.into_iter().flatten() {
        let (Some(system), Some(code)) = (field(c, "system"), field(c, "code")) else {
            continue;
        };
        let token = IndexValue::Token {
            system: system.to_owned(),
            code: format!("{code}|{value}"),
            text: String::new(),
        };
        out.push_named(format!("{}:of-type", out.code), token);
    }
}

/// One token for a Coding; `fallback_text` is used when it has no display.
fn coding(json: &Value, fallback_text: Option<&str>, out: &mut Out<'_>) {
    let system = field(json, "system").unwrap_or_default();
    let code = field(json, "code").unwrap_or_default();
    if system.is_empty() && code.is_empty() {
        return;
    }
    let display = field(json, "display").or(fallback_text);
    push(
        out,
        system,
        code,
        display.map(normalize_string).unwrap_or_default(),
    );
}

fn codeable_concept(json: &Value, out: &mut Out<'_>) {
    let text = field(json, "text");
    let codings = json.get("coding").and_then(Value::as_array);
    let codings = codings.map(Vec::as_slice).unwrap_or(&[]);
    for c in codings {
        coding(c, text, out);
    }
    let Some(text) = text.map(normalize_string).filter(|t| !t.is_empty()) else {
        return;
    };
    let shown = codings
        .iter()
        .filter_map(|c| field(c, "display"))
        .any(|d| normalize_string(d) == text);
    if !shown {
        push(out, "", "", text);
    }
}

fn push(out: &mut Out<'_>, system: &str, code: &str, text: String) {
    out.push(IndexValue::Token {
        system: system.to_owned(),
        code: code.to_owned(),
        text,
    });
}

#[cfg(test)]
mod tests {
    use crate::search::index::tests_util::{rows_of, token};
    use serde_json::json;

    #[test]
    fn codes_and_booleans_are_bare_codes() {
        let p = json!({"resourceType": "Patient", "gender": "male", "active": true});
        assert_eq!(rows_of(&p, "gender"), [token("", "male", "")]);
        assert_eq!(rows_of(&p, "active"), [token("", "true", "")]);
    }

    #[test]
    fn codeable_concepts_give_one_token_per_coding_and_their_text() {
        let o = json!({"resourceType": "Observation", "status": "final", "code": {
            "coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body Weight"},
                       {"system": "http://snomed.info/sct", "code": "27113001"}],
            "text": "Poids"}});
        assert_eq!(
            rows_of(&o, "code"),
            [
                token("http://loinc.org", "29463-7", "body weight"),
                token("http://snomed.info/sct", "27113001", "poids"),
                token("", "", "poids"),
            ]
        );
    }

    #[test]
    fn identifiers_are_system_and_value_with_type_text() {
        let p = json!({"resourceType": "Patient", "identifier": [
            {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "123", "type": {"text": "INS"}},
            {"value": "x"}]});
        assert_eq!(
            rows_of(&p, "identifier"),
            [
                token("urn:oid:1.2.250.1.213.1.4.8", "123", "ins"),
                token("", "x", "")
            ]
        );
    }

    #[test]
    fn contact_points_are_their_value() {
        let p =
            json!({"resourceType": "Patient", "telecom": [{"system": "phone", "value": "0102"}]});
        assert_eq!(rows_of(&p, "phone"), [token("", "0102", "")]);
        assert_eq!(rows_of(&p, "telecom"), [token("", "0102", "")]);
    }

    #[test]
    fn meta_tags_and_security_are_tokens() {
        let p = json!({"resourceType": "Patient", "meta": {
            "tag": [{"system": "urn:t", "code": "a"}], "security": [{"system": "urn:s", "code": "N"}]}});
        assert_eq!(rows_of(&p, "_tag"), [token("urn:t", "a", "")]);
        assert_eq!(rows_of(&p, "_security"), [token("urn:s", "N", "")]);
    }
}
