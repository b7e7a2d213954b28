//! Temporary stand-in for the generated R4 model (resource type list only).
use std::sync::OnceLock;

/// The R4 model tables.
pub struct Model {
    types: Vec<&'static str>,
    with_identifier: Vec<&'static str>,
}

/// The R4 model, loaded once.
pub fn r4() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model {
        types: include_str!("resource_types.txt").lines().collect(),
        with_identifier: include_str!("with_identifier.txt").lines().collect(),
    })
}

impl Model {
    /// Whether `name` is a concrete R4 resource type.
    pub fn is_resource_type(&self, name: &str) -> bool {
        self.types.binary_search(&name).is_ok()
    }
    /// The concrete resource types, sorted.
    pub fn resource_types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().copied()
    }
    /// Whether type `ty` has a top-level element `name` (stand-in: `identifier` only).
    pub fn has_element(&self, ty: &str, name: &str) -> bool {
        name == "identifier" && self.with_identifier.binary_search(&ty).is_ok()
    }
}
