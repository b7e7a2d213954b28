//! Conversion of FHIRPath result items into index values, by parameter type and the item's
//! FHIR type (<https://hl7.org/fhir/R4/search.html#ptypes>).

use std::borrow::Cow;

use serde_json::Value;

use super::plan::{ParamInfo, ParamKind};
use super::{IndexRow, IndexValue, reference, token};
use crate::fhirpath::{Item, SystemValue};
use crate::search::values::{date_range, normalize_string, number_range};

/// Quantity and the types deriving from it (and the profiles used as type names).
const QUANTITY_TYPES: &[&str] = &[
    "Quantity",
    "Age",
    "Count",
    "Distance",
    "Duration",
    "SimpleQuantity",
    "MoneyQuantity",
];

/// Where conversions put their rows: under the parameter code, or a suffixed name.
pub(super) struct Out<'a> {
    pub code: &'a str,
    pub rows: &'a mut Vec<IndexRow>,
}

impl Out<'_> {
    pub fn push(&mut self, value: IndexValue) {
        let param = self.code.to_owned();
        self.rows.push(IndexRow {
            param,
            value,
            group: 0,
        });
    }

    pub fn push_named(&mut self, param: String, value: IndexValue) {
        self.rows.push(IndexRow {
            param,
            value,
            group: 0,
        });
    }
}

/// An item seen as FHIR data: its FHIR type (guessed from the JSON when unknown) and JSON.
pub(super) struct Data<'a> {
    pub ty: &'a str,
    pub json: Cow<'a, Value>,
}

/// Appends the rows of one result item of parameter `info`; items of types the parameter
/// type does not cover (and composite/special parameters) give none.
pub(super) fn convert(info: &ParamInfo, item: &Item<'_>, rows: &mut Vec<IndexRow>) {
    let Some(data) = data_of(item) else {
        return;
    };
    let mut out = Out {
        code: &info.code,
        rows,
    };
    match info.kind {
        ParamKind::String => string(&data, &mut out),
        ParamKind::Token => token::token(&data, &mut out),
        ParamKind::Reference => reference::reference(&data, &mut out),
        ParamKind::Date => date(&data, &mut out),
        ParamKind::Number => number(&data, &mut out),
        ParamKind::Quantity => quantity(&data, &mut out),
        ParamKind::Uri => uri(&data, &mut out),
        ParamKind::Composite | ParamKind::Special => {}
    }
}

/// The FHIR view of an item: nodes keep their type; System values become primitives.
fn data_of<'a>(item: &Item<'a>) -> Option<Data<'a>> {
    match item {
        Item::Node(node) => {
            let json = node.json();
            let ty = node.fhir_type().or_else(|| guess_type(json))?;
            Some(Data {
                ty,
                json: Cow::Borrowed(json),
            })
        }
        Item::System(value) => {
            let (ty, json) = match value {
                SystemValue::Boolean(b) => ("boolean", Value::Bool(*b)),
                SystemValue::String(s) => ("string", Value::String(s.to_string())),
                SystemValue::Integer(i) => ("integer", Value::from(*i)),
                SystemValue::Decimal(d) => ("decimal", Value::String(d.to_string())),
                SystemValue::Date(d) | SystemValue::DateTime(d) => {
                    ("dateTime", Value::String(d.to_string()))
                }
                SystemValue::Time(_) | SystemValue::Quantity(_) => return None,
            };
            Some(Data {
                ty,
                json: Cow::Owned(json),
            })
        }
        Item::Type { .. } => None,
    }
}

/// A type for untyped JSON: primitives by JSON kind, a few complex types by their keys.
fn guess_type(json: &Value) -> Option<&'static str> {
    match json {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(_) => Some("decimal"),
        Value::Object(map) if map.contains_key("resourceType") => Some("Resource"),
        Value::Object(map) if map.contains_key("coding") => Some("CodeableConcept"),
        Value::Object(map) if map.contains_key("reference") => Some("Reference"),
        _ => None,
    }
}

/// The text of a primitive JSON value (numbers as written, booleans as `true`/`false`).
pub(super) fn text(json: &Value) -> Option<&str> {
    match json {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.as_str()),
        Value::Bool(true) => Some("true"),
        Value::Bool(false) => Some("false"),
        _ => None,
    }
}

/// The string member `key` of an object.
pub(super) fn field<'a>(json: &'a Value, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Value::as_str)
}

/// The strings of member `key`, whether an array or a single value.
fn fields<'a>(json: &'a Value, key: &str) -> Vec<&'a str> {
    match json.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    }
}

const NAME_PARTS: &[&str] = &["family", "given", "prefix", "suffix", "text"];
const ADDRESS_PARTS: &[&str] = &[
    "line",
    "city",
    "district",
    "state",
    "postalCode",
    "country",
    "text",
];

/// String search: a text, or each part of a HumanName or an Address.
fn string(data: &Data<'_>, out: &mut Out<'_>) {
    let parts = match data.ty {
        "HumanName" => NAME_PARTS,
        "Address" => ADDRESS_PARTS,
        _ => {
            if let Some(s) = text(&data.json) {
                push_string(s, out);
            }
            return;
        }
    };
    for part in parts {
        fields(&data.json, part)
            .into_iter()
            .for_each(|s| push_string(s, out));
    }
}

fn push_string(s: &str, out: &mut Out<'_>) {
    let normalized = normalize_string(s);
    if !normalized.is_empty() {
        out.push(IndexValue::String {
            normalized,
            exact: s.to_owned(),
        });
    }
}

/// Date search: date/dateTime/instant, Period (open ends unbounded) and Timing events.
fn date(data: &Data<'_>, out: &mut Out<'_>) {
    let json = data.json.as_ref();
    match data.ty {
        "Period" => {
            let low = field(json, "start").and_then(date_range).map(|r| r.0);
            let high = field(json, "end").and_then(date_range).map(|r| r.1);
            if low.is_some() || high.is_some() {
                let (low, high) = (low.unwrap_or(i64::MIN), high.unwrap_or(i64::MAX));
                out.push(IndexValue::Date { low, high });
            }
        }
        "Timing" => fields(json, "event")
            .into_iter()
            .for_each(|e| push_date(e, out)),
        _ => {
            if let Some(s) = json.as_str() {
                push_date(s, out);
            }
        }
    }
}

fn push_date(s: &str, out: &mut Out<'_>) {
    if let Some((low, high)) = date_range(s) {
        out.push(IndexValue::Date { low, high });
    }
}

/// Number search: integer and decimal types, with their implicit range.
fn number(data: &Data<'_>, out: &mut Out<'_>) {
    let range = match data.json.as_ref() {
        Value::Number(n) => number_range(n.as_str()),
        Value::String(s) => number_range(s),
        _ => None,
    };
    if let Some((low, value, high)) = range {
        out.push(IndexValue::Number { value, low, high });
    }
}

/// Quantity search: Quantity and its specialisations, and Money (ISO 4217 currency as code).
fn quantity(data: &Data<'_>, out: &mut Out<'_>) {
    let json = data.json.as_ref();
    let Some((low, value, high)) = json.get("value").and_then(text).and_then(number_range) else {
        return;
    };
    let own = |k: &str| field(json, k).unwrap_or_default().to_owned();
    let (system, code, unit) = match data.ty {
        "Money" => (
            "urn:iso:std:iso:4217".to_owned(),
            own("currency"),
            String::new(),
        ),
        t if QUANTITY_TYPES.contains(&t) => (own("system"), own("code"), own("unit")),
        _ => return,
    };
    out.push(IndexValue::Quantity {
        value,
        low,
        high,
        system,
        code,
        unit,
    });
}

/// Uri search: any primitive text as written.
fn uri(data: &Data<'_>, out: &mut Out<'_>) {
    if let Some(Value::String(s)) = Some(data.json.as_ref()) {
        out.push(IndexValue::Uri { value: s.clone() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::tests_util::rows_of;
    use serde_json::json;

    fn string(normalized: &str, exact: &str) -> IndexValue {
        IndexValue::String {
            normalized: normalized.into(),
            exact: exact.into(),
        }
    }

    fn day(text: &str) -> (i64, i64) {
        date_range(text).unwrap()
    }

    #[test]
    fn human_names_give_each_part() {
        let p = json!({"resourceType": "Patient", "name": [{"family": "Lefèvre", "given": ["Zoé", "Anne"],
            "prefix": ["Mme"], "suffix": ["PhD"], "text": "Zoé LEFÈVRE"}]});
        assert_eq!(
            rows_of(&p, "name"),
            [
                string("lefevre", "Lefèvre"),
                string("zoe", "Zoé"),
                string("anne", "Anne"),
                string("mme", "Mme"),
                string("phd", "PhD"),
                string("zoe lefevre", "Zoé LEFÈVRE")
            ]
        );
        assert_eq!(rows_of(&p, "family"), [string("lefevre", "Lefèvre")]);
    }

    #[test]
    fn addresses_give_each_part() {
        let p = json!({"resourceType": "Patient", "address": [{"line": ["1 rue de la Paix"], "city": "Paris",
            "district": "Île-de-France", "state": "IDF", "postalCode": "75002", "country": "FR"}]});
        let parts: Vec<_> = rows_of(&p, "address")
            .into_iter()
            .map(|v| match v {
                IndexValue::String { normalized, .. } => normalized,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            parts,
            [
                "1 rue de la paix",
                "paris",
                "ile-de-france",
                "idf",
                "75002",
                "fr"
            ]
        );
        assert_eq!(rows_of(&p, "address-city"), [string("paris", "Paris")]);
    }

    #[test]
    fn plain_strings_and_markdown_are_one_value() {
        let v = json!({"resourceType": "ValueSet", "status": "active", "name": "Mon  Jeu", "description": "**x**"});
        assert_eq!(rows_of(&v, "name"), [string("mon jeu", "Mon  Jeu")]);
        assert_eq!(rows_of(&v, "description"), [string("**x**", "**x**")]);
    }

    #[test]
    fn dates_cover_their_precision() {
        let p = json!({"resourceType": "Patient", "birthDate": "1974-12"});
        let (low, high) = day("1974-12");
        assert_eq!(rows_of(&p, "birthdate"), [IndexValue::Date { low, high }]);
    }

    #[test]
    fn periods_span_start_to_end_and_open_ends_are_unbounded() {
        let e = json!({"resourceType": "Encounter", "status": "finished", "class": {},
            "period": {"start": "2026-01-01", "end": "2026-01-03T10:00:00Z"}});
        let [IndexValue::Date { low, high }] = rows_of(&e, "date")[..] else {
            panic!()
        };
        assert_eq!(
            (low, high),
            (day("2026-01-01").0, day("2026-01-03T10:00:00Z").1)
        );
        let open = json!({"resourceType": "Encounter", "status": "planned", "class": {},
            "period": {"start": "2026-01-01"}});
        assert_eq!(
            rows_of(&open, "date"),
            [IndexValue::Date {
                low: day("2026-01-01").0,
                high: i64::MAX
            }]
        );
    }

    #[test]
    fn timing_events_are_dates() {
        let s = json!({"resourceType": "ServiceRequest", "status": "active", "intent": "order", "subject": {},
            "occurrenceTiming": {"event": ["2026-02-01", "2026-03-01"]}});
        let (a, b) = (day("2026-02-01"), day("2026-03-01"));
        assert_eq!(
            rows_of(&s, "occurrence"),
            [
                IndexValue::Date {
                    low: a.0,
                    high: a.1
                },
                IndexValue::Date {
                    low: b.0,
                    high: b.1
                }
            ]
        );
    }

    #[test]
    fn numbers_keep_their_implicit_range() {
        let r = json!({"resourceType": "RiskAssessment", "status": "final", "subject": {},
            "prediction": [{"probabilityDecimal": 0.25}]});
        let [IndexValue::Number { value, low, high }] = rows_of(&r, "probability")[..] else {
            panic!()
        };
        assert!(value == 0.25 && (low - 0.245).abs() < 1e-12 && (high - 0.255).abs() < 1e-12);
    }

    #[test]
    fn quantities_keep_system_code_and_unit() {
        let c = json!({"resourceType": "Condition", "subject": {},
            "onsetAge": {"value": 52, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}});
        let [
            IndexValue::Quantity {
                value,
                ref system,
                ref code,
                ref unit,
                ..
            },
        ] = rows_of(&c, "onset-age")[..]
        else {
            panic!()
        };
        assert_eq!(
            (value, system.as_str(), code.as_str(), unit.as_str()),
            (52.0, "http://unitsofmeasure.org", "a", "years")
        );
        let range = json!({"resourceType": "Condition", "subject": {}, "onsetRange": {"low": {"value": 1}}});
        assert!(rows_of(&range, "onset-age").is_empty());
    }

    #[test]
    fn money_is_a_quantity_in_iso_4217() {
        let c = json!({"resourceType": "ChargeItem", "status": "billable", "code": {}, "subject": {},
            "priceOverride": {"value": 12.5, "currency": "EUR"}});
        let [
            IndexValue::Quantity {
                value,
                ref system,
                ref code,
                ..
            },
        ] = rows_of(&c, "price-override")[..]
        else {
            panic!()
        };
        assert_eq!(
            (value, system.as_str(), code.as_str()),
            (12.5, "urn:iso:std:iso:4217", "EUR")
        );
    }

    #[test]
    fn uris_and_profiles_are_kept_as_written() {
        let v = json!({"resourceType": "ValueSet", "status": "active", "url": "http://x.org/ValueSet/a",
            "meta": {"profile": ["http://x.org/StructureDefinition/p"], "source": "urn:src#1"}});
        assert_eq!(
            rows_of(&v, "url"),
            [IndexValue::Uri {
                value: "http://x.org/ValueSet/a".into()
            }]
        );
        assert_eq!(
            rows_of(&v, "_profile"),
            [IndexValue::Uri {
                value: "http://x.org/StructureDefinition/p".into()
            }]
        );
        assert_eq!(
            rows_of(&v, "_source"),
            [IndexValue::Uri {
                value: "urn:src#1".into()
            }]
        );
    }
}
