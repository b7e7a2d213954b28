//! Search parameter records (<https://hl7.org/fhir/R4/searchparameter.html>).

use serde::{Deserialize, Serialize};

/// `SearchParameter.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchParamType {
    /// A number (integer or decimal).
    Number,
    /// A date, dateTime, instant, Period or Timing.
    Date,
    /// A string search (prefix, case- and accent-insensitive).
    String,
    /// A code, Coding, CodeableConcept, Identifier, ... searched as `system|code`.
    Token,
    /// A Reference or canonical.
    Reference,
    /// A combination of other parameters.
    Composite,
    /// A Quantity.
    Quantity,
    /// A URI.
    Uri,
    /// Special rules (`_query`, `near`, ...).
    Special,
}

/// One component of a composite parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchComponent {
    /// Canonical of the component's SearchParameter.
    pub definition: String,
    /// FHIRPath, relative to the composite's expression.
    pub expression: String,
}

/// A SearchParameter of the core R4 specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchParamDef {
    /// The code used in URLs, e.g. `birthdate`, `_id`.
    pub code: String,
    /// Canonical URL.
    pub url: String,
    /// The resource types it was defined for (`Resource` / `DomainResource` for the common ones).
    pub base: Vec<String>,
    /// Parameter type.
    #[serde(rename = "type")]
    pub kind: SearchParamType,
    /// FHIRPath extracting the values, exactly as written (often a union across several bases,
    /// e.g. `Patient.birthdate | Person.birthdate`); `None` for `_text`, `_content`, `_query`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Resource types a reference parameter may point to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target: Vec<String>,
    /// Allowed modifiers (none are listed in the R4 definitions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifier: Vec<String>,
    /// Allowed comparators (`eq`, `ne`, `gt`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparator: Vec<String>,
    /// `multipleOr`, when stated.
    #[serde(
        default,
        rename = "multipleOr",
        skip_serializing_if = "Option::is_none"
    )]
    pub multiple_or: Option<bool>,
    /// `multipleAnd`, when stated.
    #[serde(
        default,
        rename = "multipleAnd",
        skip_serializing_if = "Option::is_none"
    )]
    pub multiple_and: Option<bool>,
    /// Components of a composite parameter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<SearchComponent>,
}
