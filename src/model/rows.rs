//! Line formats of the committed tables that are not public records themselves. Shared by the
//! generator (which writes them) and the loader (which reads them), so the two cannot drift.

use serde::{Deserialize, Serialize};

use super::defs::{PrimitiveDef, TypeKind, is_false};

/// One line of `types.jsonl`: a type or a backbone element. Its elements are the lines of
/// `elements.jsonl` whose path has this name as parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TypeRow {
    pub name: String,
    pub kind: TypeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    #[serde(default, rename = "abstract", skip_serializing_if = "is_false")]
    pub is_abstract: bool,
    /// `derivation = constraint`: a profile of a datatype (SimpleQuantity, MoneyQuantity).
    #[serde(default, rename = "profile", skip_serializing_if = "is_false")]
    pub is_profile: bool,
    /// Constraint ids of the type's root element.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primitive: Option<PrimitiveDef>,
}

/// One line of `compartments.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CompartmentRow {
    /// Compartment code: `Patient`, `Encounter`, `RelatedPerson`, `Practitioner`, `Device`.
    pub compartment: String,
    pub resource: String,
    /// Search parameter codes linking the resource to the compartment.
    pub params: Vec<String>,
}
