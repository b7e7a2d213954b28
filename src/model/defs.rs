//! Definition records of the R4 model, as stored one per line in the committed tables and as
//! handed out by [`Model`](super::Model).
//!
//! Field names follow the `ElementDefinition` / `SearchParameter` names of the FHIR spec
//! (<https://hl7.org/fhir/R4/elementdefinition.html>), shortened where noted. Empty lists and
//! `false` flags are left out of the tables to keep them small.

use serde::{Deserialize, Serialize};

/// `true` when `b` is false; used to leave default flags out of the tables.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if hands a reference
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// What a [`TypeDef`](super::TypeDef) describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TypeKind {
    /// A primitive datatype (`string`, `date`, ...): a JSON scalar plus an optional `_x` companion.
    Primitive,
    /// A complex datatype (`HumanName`, `Quantity`, `Element`, `BackboneElement`, ...).
    Complex,
    /// A resource (`Patient`, and the abstract `Resource` / `DomainResource`).
    Resource,
    /// A logical model of the core spec (`MetadataResource`): never in data.
    Logical,
    /// A backbone element declared inline in a type, named by its path (`Patient.contact`).
    Backbone,
}

/// How a primitive is written in JSON (<https://hl7.org/fhir/R4/json.html#primitive>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonKind {
    /// `true` / `false`.
    Boolean,
    /// A JSON number: integer, decimal, positiveInt, unsignedInt.
    Number,
    /// A JSON string: every other primitive.
    String,
}

/// A primitive datatype: how its value is written and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimitiveDef {
    /// The type name, e.g. `dateTime`.
    pub name: String,
    /// The JSON representation of the value.
    pub json: JsonKind,
    /// The FHIRPath system type of the value, e.g. `System.DateTime`. For positiveInt and
    /// unsignedInt the R4 definitions say `System.String`; this is corrected to `System.Integer`
    /// (the type of their base `integer`), as later FHIR versions do.
    pub system: String,
    /// The value's regex (extension `http://hl7.org/fhir/StructureDefinition/regex`), to be
    /// matched against the whole value; `None` for `xhtml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
}

/// The maximum cardinality of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Max {
    /// `*`: the element repeats and is a JSON array.
    Many,
    /// A fixed maximum (`0` or `1` in the core definitions).
    Count(u32),
}

impl Max {
    /// `true` when the element repeats (any maximum above 1), i.e. is a JSON array.
    pub fn is_many(self) -> bool {
        !matches!(self, Max::Count(0 | 1))
    }
}

impl TryFrom<String> for Max {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s == "*" {
            return Ok(Max::Many);
        }
        s.parse()
            .map(Max::Count)
            .map_err(|_| format!("bad max cardinality {s:?}"))
    }
}

impl From<Max> for String {
    fn from(m: Max) -> String {
        match m {
            Max::Many => "*".to_owned(),
            Max::Count(n) => n.to_string(),
        }
    }
}

/// One allowed type of an element (`ElementDefinition.type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementType {
    /// A FHIR type name (`string`, `Reference`, `BackboneElement`, `Resource`), or, for the
    /// `value` of a primitive type only, a FHIRPath system type (`System.String`). Where R4 uses a
    /// FHIRPath type elsewhere (`Element.id`, `Extension.url`, `Resource.id`) the FHIR type from
    /// the `structuredefinition-fhir-type` extension is used (`string`, `uri`), and
    /// `Resource.id` is given its documented type `id`.
    pub code: String,
    /// `type.profile` canonicals (e.g. SimpleQuantity).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// `type.targetProfile` canonicals for Reference and canonical.
    #[serde(
        default,
        rename = "targetProfiles",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub target_profiles: Vec<String>,
}

impl ElementType {
    /// The resource type names of the core target profiles (`.../StructureDefinition/Patient`
    /// → `Patient`); other profiles are skipped.
    pub fn target_types(&self) -> impl Iterator<Item = &str> {
        self.target_profiles
            .iter()
            .filter_map(|p| p.strip_prefix(CORE_SD))
    }
}

/// Prefix of the canonical URL of the core StructureDefinitions.
pub const CORE_SD: &str = "http://hl7.org/fhir/StructureDefinition/";

/// `ElementDefinition.representation` values other than the default (an XML element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Representation {
    /// An XML attribute: `Element.id`, `Extension.url`, a primitive's `value`.
    #[serde(rename = "xmlAttr")]
    XmlAttr,
    /// XML text content.
    #[serde(rename = "xmlText")]
    XmlText,
    /// The type is carried by an `xsi:type` attribute.
    #[serde(rename = "typeAttr")]
    TypeAttr,
    /// CDA narrative text.
    #[serde(rename = "cdaText")]
    CdaText,
    /// XHTML content: `Narrative.div`.
    #[serde(rename = "xhtml")]
    Xhtml,
}

/// Binding strength (<https://hl7.org/fhir/R4/terminologies.html#strength>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BindingStrength {
    /// Codes SHALL come from the value set.
    Required,
    /// Codes SHALL come from the value set when a suitable code exists.
    Extensible,
    /// Codes SHOULD come from the value set.
    Preferred,
    /// The value set is an example.
    Example,
}

/// `ElementDefinition.binding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// How strongly the value set applies.
    pub strength: BindingStrength,
    /// The value set canonical as written in R4, often with a `|4.0.1` version suffix.
    #[serde(default, rename = "valueSet", skip_serializing_if = "Option::is_none")]
    pub value_set: Option<String>,
}

/// One element of a type or backbone, in definition order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementDef {
    /// The full path, e.g. `Patient.contact.name`, `Observation.value[x]`.
    pub path: String,
    /// Minimum cardinality.
    pub min: u32,
    /// Maximum cardinality.
    pub max: Max,
    /// The allowed types; empty only when `content_reference` is set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<ElementType>,
    /// The path of the element whose definition this one reuses (`Questionnaire.item` for
    /// `Questionnaire.item.item`), without the `#` of R4.
    #[serde(
        default,
        rename = "contentReference",
        skip_serializing_if = "Option::is_none"
    )]
    pub content_reference: Option<String>,
    /// `isSummary`.
    #[serde(default, rename = "summary", skip_serializing_if = "is_false")]
    pub is_summary: bool,
    /// `isModifier`.
    #[serde(default, rename = "modifier", skip_serializing_if = "is_false")]
    pub is_modifier: bool,
    /// A non-default XML representation.
    #[serde(default, rename = "repr", skip_serializing_if = "Option::is_none")]
    pub representation: Option<Representation>,
    /// The terminology binding, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<Binding>,
    /// Ids of the constraints that apply here; see [`Model::constraint`](super::Model::constraint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
}

impl ElementDef {
    /// The last path segment without `[x]`: the JSON name, or the prefix of the JSON names of a
    /// choice (`value` for `value[x]`).
    pub fn name(&self) -> &str {
        let last = self.path.rsplit('.').next().unwrap_or(&self.path);
        last.strip_suffix("[x]").unwrap_or(last)
    }

    /// `true` for a choice element (`value[x]`).
    pub fn is_choice(&self) -> bool {
        self.path.ends_with("[x]")
    }

    /// `true` when the element repeats (a JSON array, repeated XML elements).
    pub fn is_array(&self) -> bool {
        self.max.is_many()
    }

    /// The JSON name of this element holding a value of type `code`: `valueQuantity` for
    /// `value[x]` and `Quantity`; the plain name for a non-choice element.
    pub fn json_name_for(&self, code: &str) -> String {
        if !self.is_choice() {
            return self.name().to_owned();
        }
        let mut chars = code.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase());
        format!(
            "{}{}{}",
            self.name(),
            first.map(String::from).unwrap_or_default(),
            chars.as_str()
        )
    }

    /// `true` when written as an XML attribute (`Element.id`, `Extension.url`).
    pub fn is_xml_attr(&self) -> bool {
        self.representation == Some(Representation::XmlAttr)
    }
}

/// Constraint severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A violation makes the resource invalid.
    Error,
    /// A violation is reported as a warning.
    Warning,
}

/// An invariant (`ElementDefinition.constraint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintDef {
    /// The id elements refer to: the key (`ele-1`), or `Type:key` where R4 reuses a key for
    /// different constraints (`inv-1`).
    pub id: String,
    /// The constraint key as in R4.
    pub key: String,
    /// Error or warning.
    pub severity: Severity,
    /// The human description.
    pub human: String,
    /// The FHIRPath expression.
    pub expression: String,
    /// The type whose definition declares the constraint (`Element` for `ele-1`).
    pub source: String,
}
