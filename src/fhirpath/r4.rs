//! The generated R4 model ([`crate::model`]) as the engine's [`ModelProvider`].

use super::{ElementType, ModelProvider};
use crate::model::{Model, r4};

/// The R4 model seen by the FHIRPath engine.
#[derive(Clone, Copy, Debug)]
pub struct R4Model(&'static Model);

/// The R4 model provider (the model is loaded once).
pub fn r4_model() -> R4Model {
    R4Model(r4())
}

impl ModelProvider for R4Model {
    fn element_type(&self, parent_type: &str, element: &str) -> Option<ElementType<'_>> {
        let def = self.0.type_def(parent_type)?.element_by_name(element)?;
        if def.is_choice() {
            return Some(ElementType::Choice);
        }
        let found = self.0.element(parent_type, element)?;
        Some(ElementType::Type(
            found.child_path().unwrap_or(found.type_code()),
        ))
    }

    fn base_type(&self, type_name: &str) -> Option<&str> {
        self.0.type_def(type_name)?.base.as_deref()
    }

    fn is_resource_type(&self, type_name: &str) -> bool {
        self.0.is_resource_type(type_name) || matches!(type_name, "Resource" | "DomainResource")
    }

    fn knows_elements(&self, type_name: &str) -> bool {
        self.0.type_def(type_name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhirpath::{Context, compile, evaluate};
    use serde_json::json;

    #[test]
    fn r4_types_drive_navigation() {
        let m = r4_model();
        assert_eq!(
            m.element_type("Patient", "birthDate"),
            Some(ElementType::Type("date"))
        );
        assert_eq!(
            m.element_type("Observation", "value"),
            Some(ElementType::Choice)
        );
        assert_eq!(
            m.element_type("Patient", "contact"),
            Some(ElementType::Type("Patient.contact"))
        );
        assert_eq!(m.base_type("Age"), Some("Quantity"));
        assert!(m.is_resource_type("DomainResource"));
    }

    #[test]
    fn typed_evaluation_over_a_resource() {
        let m = r4_model();
        let ctx = Context::new(&m);
        let obs = json!({"resourceType": "Observation", "status": "final", "code": {},
            "valueQuantity": {"value": 1.50, "unit": "mg"}});
        let e = compile("Observation.value.ofType(Quantity).value > 1").unwrap();
        let out = evaluate(&e, &obs, &ctx).unwrap();
        assert_eq!(out.as_boolean(), Some(true));
    }
}
