//! Navigation over FHIR JSON (<https://hl7.org/fhir/R4/json.html>).
//!
//! * arrays flatten into the collection;
//! * a primitive's `id` and `extension` live in the `_name` companion, aligned by
//!   index for arrays (`"given": [null, "James"]`, `"_given": [{…}]`);
//! * a choice element `value[x]` is the property `valueQuantity`, `valueString`, …
//!   whose suffix gives the type;
//! * an object with `resourceType` is typed by it (contained resources, bundle entries).

use super::ast::Name;
use super::error::{FhirPathError, Result};
use super::item::{Item, JSON_NULL, Node};
use super::model::{ElementType, ModelProvider, base_of, choice_suffix_type};
use serde_json::{Map, Value};

/// Navigation settings shared by one evaluation.
#[derive(Clone, Copy)]
pub(crate) struct Navigator<'a> {
    pub model: &'a dyn ModelProvider,
    pub strict: bool,
}

impl<'a> Navigator<'a> {
    /// Appends the children named `name` of every item in `items` to `out`.
    pub fn members(&self, items: &[Item<'a>], name: &Name, out: &mut Vec<Item<'a>>) -> Result<()> {
        for item in items {
            match item {
                Item::Node(node) => self.node_member(node, name, out)?,
                Item::Type {
                    namespace,
                    name: type_name,
                } => match &*name.text {
                    "namespace" => out.push(Item::string(*namespace)),
                    "name" => out.push(Item::string(type_name.clone())),
                    _ => {}
                },
                Item::System(_) => {}
            }
        }
        Ok(())
    }

    fn node_member(&self, node: &Node<'a>, name: &Name, out: &mut Vec<Item<'a>>) -> Result<()> {
        match node.json {
            Value::Object(map) => self.object_member(map, node.type_name, name, out),
            _ => {
                // Primitive: only `id` and `extension`, found in the companion.
                if let Some(Value::Object(companion)) = node.companion {
                    let ty = self.child_type(node.type_name, &name.text);
                    let ty = ty.or(match &*name.text {
                        "extension" => Some("Extension"),
                        "id" => Some("string"),
                        _ => None,
                    });
                    if let Some(v) = companion.get(&*name.text) {
                        push_value(v, None, ty, out);
                    }
                }
                Ok(())
            }
        }
    }

    /// The model's answer for `element` on `parent` or, failing that, on its
    /// base types (so providers may list only the elements a type declares).
    pub fn lookup(&self, parent: &str, element: &str) -> Option<ElementType<'a>> {
        if let Some(found) = self.model.element_type(parent, element) {
            return Some(found);
        }
        let mut current = base_of(self.model, parent)?;
        for _ in 0..16 {
            if let Some(found) = self.model.element_type(current, element) {
                return Some(found);
            }
            current = base_of(self.model, current)?;
        }
        None
    }

    /// The declared type of a non-choice child element.
    fn child_type(&self, parent: Option<&str>, element: &str) -> Option<&'a str> {
        match self.lookup(parent?, element)? {
            ElementType::Type(t) => Some(t),
            ElementType::Choice => None,
        }
    }

    fn object_member(
        &self,
        map: &'a Map<String, Value>,
        parent: Option<&'a str>,
        name: &Name,
        out: &mut Vec<Item<'a>>,
    ) -> Result<()> {
        let declared = parent.and_then(|p| self.lookup(p, &name.text));
        if declared.is_none() {
            self.check_unknown(parent, &name.text)?;
        }
        let value = map.get(&*name.text);
        let companion = map.get(&*name.underscore);
        if value.is_some() || companion.is_some() {
            let ty = match declared {
                Some(ElementType::Type(t)) => Some(t),
                _ => None,
            };
            push_value(value.unwrap_or(&JSON_NULL), companion, ty, out);
            return Ok(());
        }
        match declared {
            Some(ElementType::Choice) => choice_members(map, &name.text, false, out),
            Some(ElementType::Type(_)) => {}
            None => choice_members(map, &name.text, true, out),
        }
        Ok(())
    }

    /// Rejects names the model says cannot exist: `valueQuantity` for a choice
    /// `value[x]` always, any unknown name in strict mode.
    fn check_unknown(&self, parent: Option<&str>, element: &str) -> Result<()> {
        let Some(parent) = parent else {
            return Ok(());
        };
        if !self.model.knows_elements(parent) {
            return Ok(());
        }
        for (i, c) in element.char_indices().skip(1) {
            if c.is_ascii_uppercase()
                && self.lookup(parent, &element[..i]) == Some(ElementType::Choice)
            {
                return Err(FhirPathError::semantic(format!(
                    "'{element}' is not an element of {parent}: use '{}' with ofType()",
                    &element[..i]
                )));
            }
        }
        if self.strict {
            return Err(FhirPathError::semantic(format!(
                "'{element}' is not an element of {parent}"
            )));
        }
        Ok(())
    }

    /// All child nodes of the items, in document order (`children()`).
    pub fn children(&self, items: &[Item<'a>], out: &mut Vec<Item<'a>>) {
        for item in items {
            let Item::Node(node) = item else { continue };
            match node.json {
                Value::Object(map) => self.object_children(map, node.type_name, out),
                _ => {
                    if let Some(Value::Object(companion)) = node.companion {
                        self.object_children(companion, None, out);
                    }
                }
            }
        }
    }

    fn object_children(
        &self,
        map: &'a Map<String, Value>,
        parent: Option<&'a str>,
        out: &mut Vec<Item<'a>>,
    ) {
        for (key, value) in map {
            if key == "resourceType" {
                continue;
            }
            if let Some(base) = key.strip_prefix('_') {
                if !map.contains_key(base) {
                    let ty = self.key_type(parent, base);
                    push_value(&JSON_NULL, Some(value), ty, out);
                }
                continue;
            }
            let companion = map.get(&format!("_{key}"));
            push_value(value, companion, self.key_type(parent, key), out);
        }
    }

    /// The type of a JSON property, resolving choice suffixes.
    fn key_type(&self, parent: Option<&'a str>, key: &'a str) -> Option<&'a str> {
        if let Some(p) = parent {
            match self.lookup(p, key) {
                Some(ElementType::Type(t)) => return Some(t),
                Some(ElementType::Choice) => return None,
                None => {}
            }
            for (i, c) in key.char_indices().skip(1) {
                if c.is_ascii_uppercase() && self.lookup(p, &key[..i]) == Some(ElementType::Choice)
                {
                    return choice_suffix_type(&key[i..], false);
                }
            }
        }
        None
    }
}

/// Properties `name` + type suffix (choice elements); `known_only` restricts the
/// suffix to known type names (used when the model cannot tell).
fn choice_members<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    known_only: bool,
    out: &mut Vec<Item<'a>>,
) {
    for (key, value) in map {
        let Some(suffix) = key.strip_prefix(name) else {
            continue;
        };
        let Some(ty) = choice_suffix_type(suffix, known_only) else {
            continue;
        };
        let companion = map.get(&format!("_{key}"));
        push_value(value, companion, Some(ty), out);
    }
}

/// Pushes a JSON value (flattening arrays) with its companion and type.
pub(crate) fn push_value<'a>(
    value: &'a Value,
    companion: Option<&'a Value>,
    ty: Option<&'a str>,
    out: &mut Vec<Item<'a>>,
) {
    match value {
        Value::Array(values) => {
            let companions = companion.and_then(Value::as_array);
            for (i, v) in values.iter().enumerate() {
                let c = companions.and_then(|cs| cs.get(i)).filter(|c| !c.is_null());
                push_one(v, c, ty, out);
            }
        }
        Value::Null => {
            if let Some(Value::Array(companions)) = companion {
                for c in companions.iter().filter(|c| !c.is_null()) {
                    push_one(&JSON_NULL, Some(c), ty, out);
                }
            } else if companion.is_some() {
                push_one(&JSON_NULL, companion, ty, out);
            }
        }
        _ => push_one(value, companion, ty, out),
    }
}

fn push_one<'a>(
    value: &'a Value,
    companion: Option<&'a Value>,
    ty: Option<&'a str>,
    out: &mut Vec<Item<'a>>,
) {
    if value.is_null() && companion.is_none() {
        return;
    }
    let type_name = value.get("resourceType").and_then(Value::as_str).or(ty);
    out.push(Item::Node(Node {
        json: value,
        companion,
        type_name,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhirpath::model::NullModel;
    use serde_json::json;

    fn nav() -> Navigator<'static> {
        Navigator {
            model: &NullModel,
            strict: false,
        }
    }

    #[test]
    fn primitives_pair_with_companions_by_index() {
        let v = json!({"given": [null, "James"], "_given": [{"extension": [{"url": "u"}]}]});
        let mut out = Vec::new();
        nav()
            .members(
                &[Item::Node(Node::new(&v, None))],
                &Name::new("given"),
                &mut out,
            )
            .unwrap();
        assert_eq!(out.len(), 2);
        assert!(out[0].node().unwrap().companion().is_some());
        assert_eq!(out[1].as_str(), Some("James"));
        let mut ext = Vec::new();
        nav()
            .members(&out, &Name::new("extension"), &mut ext)
            .unwrap();
        assert_eq!(ext.len(), 1);
    }

    #[test]
    fn choice_elements_are_found_by_suffix() {
        let v = json!({"valueQuantity": {"value": 1}, "valueSet": "x"});
        let mut out = Vec::new();
        nav()
            .members(
                &[Item::Node(Node::new(&v, None))],
                &Name::new("value"),
                &mut out,
            )
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].type_name(), Some("Quantity"));
    }

    #[test]
    fn children_skip_resource_type_and_merge_companions() {
        let v = json!({"resourceType": "Patient", "birthDate": "1974", "_birthDate": {"id": "a"}, "_x": {"id": "b"}});
        let mut out = Vec::new();
        nav().children(&[Item::Node(Node::resource(&v))], &mut out);
        assert_eq!(out.len(), 2);
    }
}
