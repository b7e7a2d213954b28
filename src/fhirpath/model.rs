//! The type model the engine consults: what FHIR type an element has, and how
//! types inherit (<https://hl7.org/fhir/R4/fhirpath.html#types>).
//!
//! The engine never needs the whole FHIR specification: it asks a
//! [`ModelProvider`] one question at a time. [`NullModel`] knows nothing and the
//! engine still works with it (untyped nodes, choice elements found by their JSON
//! suffix, a small built-in hierarchy for primitives and `Quantity` profiles).

/// What the model says about one element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementType<'m> {
    /// A single type: a FHIR type name (`"HumanName"`, `"date"`), or the path of a
    /// backbone element (`"Patient.contact"`) which is then used as the parent type
    /// to look up its children. `contentReference` elements return the referenced
    /// path (`Questionnaire.item.item` → `"Questionnaire.item"`).
    Type(&'m str),
    /// A choice element `name[x]`: the JSON property `nameXxx` gives the type `Xxx`.
    Choice,
}

/// A source of FHIR type information (R4 definitions, profiles, …).
///
/// Implementations must be cheap to query: the engine asks during navigation.
pub trait ModelProvider: Send + Sync {
    /// The type of `element` (its JSON name, without `[x]`) on `parent_type` (a
    /// type name or backbone path); `None` when the element or the parent is
    /// unknown. Inherited elements may be left out: the engine retries on the
    /// base types given by [`ModelProvider::base_type`].
    fn element_type(&self, parent_type: &str, element: &str) -> Option<ElementType<'_>>;

    /// The type `type_name` derives from: `Patient` → `DomainResource`,
    /// `DomainResource` → `Resource`, `Age` → `Quantity`, `code` → `string`, a backbone
    /// path → `BackboneElement`. `None` for roots and unknown types.
    fn base_type(&self, type_name: &str) -> Option<&str>;

    /// Whether `type_name` is a resource type (including `Resource` and `DomainResource`).
    fn is_resource_type(&self, type_name: &str) -> bool;

    /// Whether the model knows `type_name` at all; used to reject `as(Unknown)`.
    /// Models that know nothing should return `true` for everything (the default
    /// answers from [`ModelProvider::base_type`] and [`ModelProvider::is_resource_type`]).
    fn is_known_type(&self, type_name: &str) -> bool {
        self.base_type(type_name).is_some()
            || self.is_resource_type(type_name)
            || matches!(type_name, "Element" | "Resource" | "Base")
    }

    /// Whether the model knows *all* elements of `type_name`, including those it
    /// inherits (answered by [`ModelProvider::element_type`] on the type or its
    /// bases). When true, naming `valueQuantity` for a choice `value[x]` is an
    /// error, and so is any unknown element in strict mode. Defaults to `false`.
    fn knows_elements(&self, type_name: &str) -> bool {
        let _ = type_name;
        false
    }
}

/// A model that knows nothing: typing degrades but evaluation works.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullModel;

impl ModelProvider for NullModel {
    fn element_type(&self, _: &str, _: &str) -> Option<ElementType<'_>> {
        None
    }

    fn base_type(&self, _: &str) -> Option<&str> {
        None
    }

    fn is_resource_type(&self, _: &str) -> bool {
        false
    }

    fn is_known_type(&self, _: &str) -> bool {
        true
    }
}

/// FHIR R4 primitive type names.
pub const PRIMITIVE_TYPES: &[&str] = &[
    "boolean",
    "integer",
    "string",
    "decimal",
    "uri",
    "url",
    "canonical",
    "base64Binary",
    "instant",
    "date",
    "dateTime",
    "time",
    "code",
    "oid",
    "id",
    "markdown",
    "unsignedInt",
    "positiveInt",
    "uuid",
    "xhtml",
];

/// Complex types that can appear as a choice suffix (R4 open type list).
const CHOICE_COMPLEX_TYPES: &[&str] = &[
    "Address",
    "Age",
    "Annotation",
    "Attachment",
    "CodeableConcept",
    "Coding",
    "ContactPoint",
    "Count",
    "Distance",
    "Duration",
    "HumanName",
    "Identifier",
    "Money",
    "Period",
    "Quantity",
    "Range",
    "Ratio",
    "Reference",
    "SampledData",
    "Signature",
    "Timing",
    "ContactDetail",
    "Contributor",
    "DataRequirement",
    "Expression",
    "ParameterDefinition",
    "RelatedArtifact",
    "TriggerDefinition",
    "UsageContext",
    "Dosage",
    "Meta",
];

/// Built-in inheritance used when the provider does not answer.
const BUILTIN_BASES: &[(&str, &str)] = &[
    ("code", "string"),
    ("id", "string"),
    ("markdown", "string"),
    ("url", "uri"),
    ("canonical", "uri"),
    ("oid", "uri"),
    ("uuid", "uri"),
    ("positiveInt", "integer"),
    ("unsignedInt", "integer"),
    ("Age", "Quantity"),
    ("Count", "Quantity"),
    ("Distance", "Quantity"),
    ("Duration", "Quantity"),
    ("SimpleQuantity", "Quantity"),
    ("MoneyQuantity", "Quantity"),
    ("DomainResource", "Resource"),
];

/// True for FHIR primitive type names.
pub fn is_primitive_type(name: &str) -> bool {
    PRIMITIVE_TYPES.contains(&name)
}

/// The type named by a choice property suffix (`"String"` → `"string"`,
/// `"Quantity"` → `"Quantity"`); `None` when the suffix names no known type and
/// `known_only` is set.
pub fn choice_suffix_type(suffix: &str, known_only: bool) -> Option<&str> {
    let mut chars = suffix.chars();
    let first = chars.next()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    let rest = chars.as_str();
    let primitive = PRIMITIVE_TYPES.iter().find(|p| {
        p.get(1..) == Some(rest) && p.chars().next().map(|c| c.to_ascii_uppercase()) == Some(first)
    });
    if let Some(p) = primitive {
        return Some(p);
    }
    (!known_only || CHOICE_COMPLEX_TYPES.contains(&suffix)).then_some(suffix)
}

/// The base of `type_name`, from the provider or the built-in table.
pub fn base_of<'m>(model: &'m dyn ModelProvider, type_name: &str) -> Option<&'m str> {
    model.base_type(type_name).or_else(|| {
        BUILTIN_BASES
            .iter()
            .find(|(t, _)| *t == type_name)
            .map(|(_, base)| *base)
    })
}

/// Whether `type_name` is `target` or derives from it.
pub fn is_subtype(model: &dyn ModelProvider, type_name: &str, target: &str) -> bool {
    let mut current = type_name;
    for _ in 0..32 {
        if current == target {
            return true;
        }
        match base_of(model, current) {
            Some(base) => current = base,
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_suffixes_map_to_types() {
        assert_eq!(choice_suffix_type("String", true), Some("string"));
        assert_eq!(choice_suffix_type("DateTime", true), Some("dateTime"));
        assert_eq!(choice_suffix_type("Quantity", true), Some("Quantity"));
        assert_eq!(choice_suffix_type("Set", true), None);
        assert_eq!(choice_suffix_type("Set", false), Some("Set"));
        assert_eq!(choice_suffix_type("", false), None);
        assert_eq!(choice_suffix_type("quantity", false), None);
    }

    #[test]
    fn builtin_hierarchy_works_without_a_model() {
        assert!(is_subtype(&NullModel, "code", "string"));
        assert!(is_subtype(&NullModel, "Age", "Quantity"));
        assert!(!is_subtype(&NullModel, "string", "code"));
        assert!(NullModel.is_known_type("anything"));
    }
}
