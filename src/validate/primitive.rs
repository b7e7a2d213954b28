//! Primitive values: JSON kind, the R4 regex of the type, integer ranges, and the narrative
//! `div`. <https://hl7.org/fhir/R4/datatypes.html#primitive>, <https://hl7.org/fhir/R4/json.html#primitive>

use serde_json::Value;

use super::index::{Format, index};
use super::walker::{Walker, json_kind};
use crate::model::{JsonKind, PrimitiveDef};

/// `true` when `text` is a valid lexical form of primitive `name` (always for an unknown
/// name or a type without regex).
pub(super) fn matches(name: &str, text: &str) -> bool {
    index().format_of(name).check(text)
}

/// The allowed range of an integer type, `None` for other types.
fn integer_range(name: &str) -> Option<(i64, i64)> {
    const MAX: i64 = i32::MAX as i64;
    match name {
        "integer" => Some((i64::from(i32::MIN), MAX)),
        "positiveInt" => Some((1, MAX)),
        "unsignedInt" => Some((0, MAX)),
        _ => None,
    }
}

impl Walker<'_> {
    /// Validates a primitive value (not its `_x` companion) of format `format` at the current
    /// location.
    pub(super) fn primitive(&mut self, p: &PrimitiveDef, format: &Format, value: &Value) {
        match (p.json, value) {
            (JsonKind::Boolean, Value::Bool(_)) => {}
            (JsonKind::Number, Value::Number(n)) => self.number(p, format, n.as_str()),
            (JsonKind::String, Value::String(s)) if p.name == "xhtml" => self.xhtml(s),
            (JsonKind::String, Value::String(s)) => {
                if !format.check(s) {
                    let msg = format!("{s:?} is not a valid {}", p.name);
                    self.error("value", msg);
                }
            }
            (kind, other) => {
                let want = match kind {
                    JsonKind::Boolean => "a JSON boolean",
                    JsonKind::Number => "a JSON number",
                    JsonKind::String => "a JSON string",
                };
                let msg = format!("a {} must be {want}, not {}", p.name, json_kind(other));
                self.error("structure", msg);
            }
        }
    }

    fn number(&mut self, p: &PrimitiveDef, format: &Format, text: &str) {
        if !format.check(text) {
            self.error("value", format!("{text} is not a valid {}", p.name));
            return;
        }
        if let Some((lo, hi)) = integer_range(&p.name) {
            let in_range = text.parse::<i64>().is_ok_and(|n| (lo..=hi).contains(&n));
            if !in_range {
                let msg = format!("{text} is out of range for {} ({lo}..{hi})", p.name);
                self.error("value", msg);
            }
        }
    }

    /// The narrative is XHTML in a `div` element (txt-1..txt-2 are left to the evaluator).
    fn xhtml(&mut self, s: &str) {
        if !s.trim_start().starts_with("<div") {
            self.error(
                "value",
                "the narrative must be an XHTML <div> element".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validate::validate_base;

    #[test]
    fn regexes_are_anchored() {
        assert!(matches("date", "2020-02-29") && !matches("date", "2020-13"));
        assert!(!matches("date", "x2020"));
        assert!(matches("id", "a-b.c") && !matches("id", "a_b"));
        assert!(!matches("id", &"a".repeat(65)));
        assert!(matches("instant", "2015-02-07T13:28:17.239+02:00"));
        assert!(!matches("instant", "2015-02-07"));
        assert!(matches(
            "uuid",
            "urn:uuid:c757873d-ec9a-4326-a141-556f43239520"
        ));
        assert!(matches("oid", "urn:oid:1.2.250.1.213") && !matches("oid", "1.2"));
        assert!(!matches("code", " a") && !matches("string", ""));
        assert!(!matches("uri", "a b") && matches("time", "10:00:00"));
        assert!(matches("xhtml", "anything"));
    }

    fn errors(v: serde_json::Value) -> Vec<String> {
        validate_base(&v, None)
            .errors()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn json_kinds_follow_the_primitive() {
        let e = errors(json!({"resourceType": "Patient", "active": "true", "birthDate": 2000}));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("JSON boolean") && e[1].contains("JSON string"));
    }

    #[test]
    fn integers_are_checked_for_format_and_range() {
        let rr = |n: serde_json::Value| {
            errors(json!({"resourceType": "RiskAssessment", "status": "final",
                "subject": {"reference": "Patient/1"}, "prediction": [{"rationale": "x"}],
                "extension": [{"url": "http://x", "valuePositiveInt": n}]}))
        };
        assert!(rr(json!(1)).is_empty());
        assert_eq!(rr(json!(0)).len(), 1);
        assert_eq!(rr(json!(1.5)).len(), 1);
        assert_eq!(rr(json!(3_000_000_000_i64)).len(), 1);
    }

    #[test]
    fn narrative_must_be_a_div() {
        let text = |div: &str| {
            errors(json!({"resourceType": "Patient", "text": {"status": "generated", "div": div}}))
        };
        assert!(text("<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>").is_empty());
        assert_eq!(text("<p>x</p>").len(), 1);
    }
}
