//! A type or backbone element with its elements and a JSON-name index.

use foldhash::{HashMap, HashMapExt};

use super::defs::{ElementDef, TypeKind};
use super::rows::TypeRow;

/// A datatype, resource, or backbone element (named by its path, e.g. `Patient.contact`), with
/// its elements in definition order.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Type name or backbone path.
    pub name: String,
    /// What this is.
    pub kind: TypeKind,
    /// The base type (`DomainResource` for Patient, `BackboneElement` for a backbone); `None` for
    /// `Element` and `Resource`.
    pub base: Option<String>,
    /// Abstract types (`Resource`, `DomainResource`, `Element`, `BackboneElement`, ...) never
    /// appear as such in data.
    pub is_abstract: bool,
    /// A profile of a datatype (`SimpleQuantity`, `MoneyQuantity`), not a type of its own.
    pub is_profile: bool,
    /// Constraint ids of the type's root element (e.g. `dom-2` on every DomainResource); a
    /// backbone's constraints are on its element in the parent type.
    pub constraints: Vec<String>,
    /// The elements, in definition order (the order of XML elements).
    pub elements: Vec<ElementDef>,
    /// JSON name (`birthDate`, `valueQuantity`) → (element index, index of the chosen type).
    index: HashMap<String, (usize, usize)>,
}

impl TypeDef {
    pub(crate) fn from_row(row: TypeRow) -> Self {
        TypeDef {
            name: row.name,
            kind: row.kind,
            base: row.base,
            is_abstract: row.is_abstract,
            is_profile: row.is_profile,
            constraints: row.constraints,
            elements: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Indexes the JSON names of the elements: plain names first, so that a choice expansion
    /// can never shadow a real element.
    pub(crate) fn build_index(&mut self) {
        let mut index = HashMap::with_capacity(self.elements.len());
        for (i, el) in self
            .elements
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.is_choice())
        {
            index.insert(el.name().to_owned(), (i, 0));
        }
        for (i, el) in self
            .elements
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_choice())
        {
            for (t, ty) in el.types.iter().enumerate() {
                index.entry(el.json_name_for(&ty.code)).or_insert((i, t));
            }
        }
        self.index = index;
    }

    /// The element and chosen type index for a JSON property name.
    pub(crate) fn lookup(&self, json_name: &str) -> Option<(usize, usize)> {
        self.index.get(json_name).copied()
    }

    /// The element whose name (last path segment, with or without `[x]`) is `name`: `value`,
    /// `value[x]`, `birthDate`. Choice variants such as `valueQuantity` are not names.
    pub fn element_by_name(&self, name: &str) -> Option<&ElementDef> {
        let base = name.strip_suffix("[x]").unwrap_or(name);
        let (i, _) = self.lookup(base).or_else(|| {
            // A choice element is indexed by its variants only.
            self.elements
                .iter()
                .position(|e| e.is_choice() && e.name() == base)
                .map(|i| (i, 0))
        })?;
        self.elements.get(i).filter(|e| e.name() == base)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::r4;

    #[test]
    fn element_by_name_finds_plain_and_choice_elements() {
        let obs = r4().type_def("Observation").unwrap();
        assert_eq!(
            obs.element_by_name("status").unwrap().path,
            "Observation.status"
        );
        assert_eq!(
            obs.element_by_name("value").unwrap().path,
            "Observation.value[x]"
        );
        assert_eq!(
            obs.element_by_name("value[x]").unwrap().path,
            "Observation.value[x]"
        );
        assert!(obs.element_by_name("valueQuantity").is_none());
    }

    #[test]
    fn choice_variants_never_shadow_other_elements() {
        for t in r4().type_defs() {
            for (i, el) in t.elements.iter().enumerate() {
                if el.is_choice() {
                    for (k, ty) in el.types.iter().enumerate() {
                        assert_eq!(
                            t.lookup(&el.json_name_for(&ty.code)),
                            Some((i, k)),
                            "{}",
                            el.path
                        );
                    }
                } else {
                    assert_eq!(t.lookup(el.name()), Some((i, 0)), "{}", el.path);
                }
            }
        }
    }

    #[test]
    fn elements_are_in_definition_order() {
        let patient = r4().type_def("Patient").unwrap();
        let names: Vec<&str> = patient.elements.iter().map(|e| e.name()).take(5).collect();
        assert_eq!(names, ["id", "meta", "implicitRules", "language", "text"]);
    }
}
