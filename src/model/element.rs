//! [`ElementRef`]: an element as found from a JSON property name, with its chosen type.

use super::Model;
use super::defs::{ConstraintDef, ElementDef, ElementType, PrimitiveDef};
use super::typedef::TypeDef;

/// An element looked up by JSON name ([`Model::element`]): the definition, the concrete type
/// (the chosen one for a choice element) and where its children are defined.
#[derive(Debug, Clone, Copy)]
pub struct ElementRef<'a> {
    pub(super) model: &'a Model,
    /// The element as declared in its parent.
    pub(super) def: &'a ElementDef,
    /// The same, or the element named by `def`'s content reference.
    pub(super) target: &'a ElementDef,
    /// Index of the chosen type in `target.types`.
    pub(super) type_index: usize,
    /// Position of `def` among its parent's elements.
    pub(super) index: usize,
}

impl<'a> ElementRef<'a> {
    /// The element as declared: its own path, cardinality, flags and constraints.
    pub fn def(&self) -> &'a ElementDef {
        self.def
    }

    /// Position of the element among its parent's elements: sorting by it gives definition
    /// order (the XML order).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The definition giving the type: the content-referenced element (`Questionnaire.item` for
    /// `Questionnaire.item.item`), else the element itself.
    pub fn target(&self) -> &'a ElementDef {
        self.target
    }

    /// The concrete type: the chosen one for a choice element, the only one otherwise.
    /// `None` only for a malformed definition.
    pub fn element_type(&self) -> Option<&'a ElementType> {
        self.target.types.get(self.type_index)
    }

    /// The concrete type's code (`date`, `Quantity`, `BackboneElement`, `Resource`, or a
    /// FHIRPath system type for a primitive's `value`); empty when there is none.
    pub fn type_code(&self) -> &'a str {
        self.element_type().map_or("", |t| t.code.as_str())
    }

    /// `true` when the element is a choice (`value[x]`).
    pub fn is_choice(&self) -> bool {
        self.def.is_choice()
    }

    /// `true` when the element repeats: a JSON array.
    pub fn is_array(&self) -> bool {
        self.def.is_array()
    }

    /// `true` for XML attributes (`Element.id`, `Extension.url`, a primitive's `value`).
    pub fn is_xml_attr(&self) -> bool {
        self.def.is_xml_attr()
    }

    /// `true` for an element of type `xhtml` (`Narrative.div`).
    pub fn is_xhtml(&self) -> bool {
        self.type_code() == "xhtml"
    }

    /// The primitive definition when the type is a FHIR primitive.
    pub fn primitive(&self) -> Option<&'a PrimitiveDef> {
        self.model.primitive(self.type_code())
    }

    /// `true` when the element holds a whole resource (`Bundle.entry.resource`, `contained`).
    pub fn is_resource(&self) -> bool {
        let code = self.type_code();
        code == "Resource" || code == "DomainResource" || self.model.is_resource_type(code)
    }

    /// The name of the [`TypeDef`] defining the children: the backbone path (following content
    /// references) for `BackboneElement`/`Element` with inline children, else the type code.
    /// `None` for FHIRPath system types.
    pub fn child_path(&self) -> Option<&'a str> {
        let code = self.type_code();
        if (code == "BackboneElement" || code == "Element")
            && self.model.type_def(&self.target.path).is_some()
        {
            return Some(&self.target.path);
        }
        self.model.type_def(code).map(|t| t.name.as_str())
    }

    /// The [`TypeDef`] defining the children; see [`child_path`](Self::child_path).
    pub fn child_type(&self) -> Option<&'a TypeDef> {
        self.child_path().and_then(|p| self.model.type_def(p))
    }

    /// The constraints applying here: the element's own, then those of the content-referenced
    /// element not already listed.
    pub fn constraints(&self) -> impl Iterator<Item = &'a ConstraintDef> + 'a {
        let own = &self.def.constraints;
        let extra = self
            .target
            .constraints
            .iter()
            .filter(move |id| !own.contains(id));
        let model = self.model;
        own.iter()
            .chain(extra)
            .filter_map(move |id| model.constraint(id))
    }
}

#[cfg(test)]
mod tests {
    use crate::model::r4;

    #[test]
    fn birth_date_is_an_optional_date() {
        let e = r4().element("Patient", "birthDate").unwrap();
        assert_eq!(e.type_code(), "date");
        assert_eq!((e.def().min, e.is_array()), (0, false));
        assert!(e.def().is_summary);
        assert_eq!(
            e.primitive()
                .unwrap()
                .regex
                .as_deref()
                .map(|r| r.starts_with("([0-9]")),
            Some(true)
        );
    }

    #[test]
    fn value_quantity_resolves_the_choice() {
        let e = r4().element("Observation", "valueQuantity").unwrap();
        assert!(e.is_choice());
        assert_eq!(e.def().path, "Observation.value[x]");
        assert_eq!(e.type_code(), "Quantity");
        assert_eq!(e.child_path(), Some("Quantity"));
        assert!(r4().element("Observation", "valueFoo").is_none());
        assert!(r4().element("Observation", "value").is_none());
    }

    #[test]
    fn questionnaire_item_item_follows_the_content_reference() {
        let e = r4().element("Questionnaire.item", "item").unwrap();
        assert_eq!(e.def().path, "Questionnaire.item.item");
        assert_eq!(e.target().path, "Questionnaire.item");
        assert_eq!(e.child_path(), Some("Questionnaire.item"));
        assert!(e.is_array());
        assert!(e.constraints().any(|c| c.key == "que-1"));
        let nested = r4().element(e.child_path().unwrap(), "linkId").unwrap();
        assert_eq!(nested.type_code(), "string");
    }

    #[test]
    fn bundle_entry_resource_is_a_resource() {
        let entry = r4().element("Bundle", "entry").unwrap();
        assert_eq!(entry.child_path(), Some("Bundle.entry"));
        let res = r4().element("Bundle.entry", "resource").unwrap();
        assert_eq!(res.type_code(), "Resource");
        assert!(res.is_resource());
        let req = r4().element("Bundle.entry", "request").unwrap();
        assert_eq!(req.child_path(), Some("Bundle.entry.request"));
    }

    #[test]
    fn ids_urls_and_values_are_xml_attributes() {
        let m = r4();
        assert!(m.element("HumanName", "id").unwrap().is_xml_attr());
        assert!(m.element("Extension", "url").unwrap().is_xml_attr());
        assert_eq!(m.element("Extension", "url").unwrap().type_code(), "uri");
        let resource_id = m.element("Patient", "id").unwrap();
        assert!(!resource_id.is_xml_attr());
        assert_eq!(resource_id.type_code(), "id");
        assert_eq!(
            m.element("decimal", "value").unwrap().type_code(),
            "System.Decimal"
        );
        assert!(m.element("Narrative", "div").unwrap().is_xhtml());
    }

    #[test]
    fn reference_targets_are_listed() {
        let e = r4().element("Observation", "subject").unwrap();
        let targets: Vec<&str> = e.element_type().unwrap().target_types().collect();
        assert_eq!(targets, ["Patient", "Group", "Device", "Location"]);
    }

    #[test]
    fn elements_carry_constraints() {
        let contact = r4().element("Patient", "contact").unwrap();
        let keys: Vec<&str> = contact.constraints().map(|c| c.key.as_str()).collect();
        assert!(keys.contains(&"pat-1") && keys.contains(&"ele-1"));
        let pat1 = contact.constraints().find(|c| c.key == "pat-1").unwrap();
        assert!(pat1.expression.contains("name.exists()"));
    }
}
