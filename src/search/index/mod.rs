//! Search index extraction (<https://hl7.org/fhir/R4/search.html>,
//! <https://hl7.org/fhir/R4/searchparameter.html>): every SearchParameter's FHIRPath
//! expression is evaluated on a resource and each result item is converted, by parameter type
//! and FHIR type, into [`IndexValue`]s stored beside the resource.
//!
//! | param type | FHIR types of the items | values |
//! |---|---|---|
//! | string | string, markdown; HumanName; Address | one String per text / name part / address part |
//! | token | code, boolean, string, id, uri; Coding; CodeableConcept; Identifier; ContactPoint | Token(system, code, text) |
//! | reference | Reference; canonical, uri | Reference(type, id, url); `<code>:identifier` Token for `Reference.identifier` |
//! | date | date, dateTime, instant; Period; Timing | Date(low, high) in epoch µs |
//! | number | integer, decimal, positiveInt, unsignedInt | Number(value, implicit range) |
//! | quantity | Quantity (Age, Duration, Count, Distance…); Money | Quantity(value, range, system, code, unit) |
//! | uri | uri, url, canonical, oid, uuid | Uri |
//!
//! Composite and special parameters give no rows (their definitions stay available through
//! [`Extractor::param`]); `_id` and `_lastUpdated` are left to the server's own columns.

mod convert;
mod extractor;
mod plan;
mod reference;
#[cfg(test)]
mod shared_tests;
mod split;
mod token;

#[cfg(test)]
mod examples_tests;
#[cfg(test)]
mod tests_util;

pub use extractor::Extractor;
pub use plan::{ParamInfo, ParamKind, component_kinds};

/// One value of a search parameter, normalised for the query side.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexValue {
    /// A string (also each name part of a HumanName and each part of an Address):
    /// `normalized` by [`normalize_string`](crate::search::values::normalize_string) and
    /// `exact` as written (for `:exact`).
    String { normalized: String, exact: String },
    /// A code: `system` is `""` when none is known; `text` is the display or text,
    /// normalised, `""` when none.
    Token {
        system: String,
        code: String,
        text: String,
    },
    /// A reference: relative ones (`Patient/1`) fill `target_type`/`target_id` and leave `url`
    /// empty; absolute ones and canonicals keep `url` (as written) and also fill type/id when
    /// the URL ends in `Type/id`.
    Reference {
        target_type: String,
        target_id: String,
        url: String,
    },
    /// An instant range in Unix epoch microseconds, both ends inclusive; an open end of a
    /// Period is `i64::MIN` / `i64::MAX`.
    Date { low: i64, high: i64 },
    /// A number with its implicit range.
    Number { value: f64, low: f64, high: f64 },
    /// A quantity with its implicit range; `system`/`code`/`unit` are `""` when absent.
    Quantity {
        value: f64,
        low: f64,
        high: f64,
        system: String,
        code: String,
        unit: String,
    },
    /// A URI as written.
    Uri { value: String },
}

/// A value of one parameter of a resource. `param` is the parameter code (`family`,
/// `subject`), or `<code>:identifier` for the identifier of a reference.
///
/// `group` ties the component rows of one composite value together (`<code>:0`, `<code>:1`… of the
/// same item share a group ≥ 1); it is 0 for every other row.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexRow {
    pub param: String,
    pub value: IndexValue,
    pub group: i64,
}
