//! FHIR-specific functions (<https://hl7.org/fhir/R4/fhirpath.html#functions>).
//!
//! `resolve()` finds contained (`#id`) and same-Bundle targets itself, then asks
//! the context's [`crate::fhirpath::ReferenceResolver`]; failing that, a relative
//! `Type/id` reference yields an empty resource of that type so that the common
//! `reference.resolve() is Patient` still works. Terminology and validation go
//! through the context hooks; without hooks they return empty.
//! `elementDefinition()` and `slice()` are not supported and return empty.

use super::{Inv, Spec, spec, string_arg};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::eval::logic::bool_result;
use crate::fhirpath::item::{Item, Node};
use crate::fhirpath::navigate::push_value;
use serde_json::Value;
use std::sync::LazyLock;

pub(crate) const SPECS: &[Spec] = &[
    spec("extension", 1, 1, extension),
    spec("hasValue", 0, 0, has_value),
    spec("getValue", 0, 0, get_value),
    spec("resolve", 0, 0, resolve),
    spec("elementDefinition", 0, 0, nothing),
    spec("slice", 2, 2, nothing),
    spec("checkModifiers", 1, 1, check_modifiers),
    spec("conformsTo", 1, 1, conforms_to),
    spec("memberOf", 1, 1, member_of),
    spec("subsumes", 1, 1, subsumes),
    spec("subsumedBy", 1, 1, subsumed_by),
    spec("htmlChecks", 0, 0, html_checks),
    spec("htmlchecks", 0, 0, html_checks),
];

/// The empty object standing in for references that cannot be fetched.
static EMPTY_RESOURCE: LazyLock<Value> = LazyLock::new(|| Value::Object(serde_json::Map::new()));

fn nothing<'a>(_: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(Vec::new())
}

fn extension<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(url) = string_arg(inv.env, &inv.arg(0)?, "extension url")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in inv.input.iter() {
        let Some(node) = item.node() else { continue };
        let holder = if node.json.is_object() {
            Some(node.json)
        } else {
            node.companion
        };
        let Some(Value::Array(extensions)) = holder.and_then(|h| h.get("extension")) else {
            continue;
        };
        for ext in extensions {
            if ext.get("url").and_then(Value::as_str) == Some(&*url) {
                out.push(Item::Node(Node::new(ext, Some("Extension"))));
            }
        }
    }
    Ok(out)
}

fn has_value<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let value = match &*inv.input {
        [Item::Node(n)] => n.has_primitive_value(),
        [Item::System(_)] => true,
        _ => false,
    };
    Ok(vec![Item::boolean(value)])
}

fn get_value<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    match &*inv.input {
        [Item::Node(n)] if n.has_primitive_value() => Ok(inv.input[0]
            .to_system(inv.model())
            .map(Item::System)
            .into_iter()
            .collect()),
        [item @ Item::System(_)] => Ok(vec![item.clone()]),
        _ => Ok(Vec::new()),
    }
}

/// The reference text of a `Reference` node or a uri/canonical string.
fn reference_text<'a>(item: &Item<'a>) -> Option<&'a str> {
    let json = item.json()?;
    json.get("reference")
        .and_then(Value::as_str)
        .or_else(|| json.as_str())
}

/// Finds a resource in `%rootResource`: contained `#id` or a Bundle entry.
fn find_local<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    if let Some(id) = reference.strip_prefix('#') {
        return root
            .get("contained")?
            .as_array()?
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id));
    }
    root.get("entry")?.as_array()?.iter().find_map(|entry| {
        let resource = entry.get("resource")?;
        let full_url = entry.get("fullUrl").and_then(Value::as_str);
        let typed_id = format!(
            "{}/{}",
            resource.get("resourceType")?.as_str()?,
            resource.get("id").and_then(Value::as_str).unwrap_or("")
        );
        (full_url == Some(reference)
            || reference == typed_id
            || reference.ends_with(&format!("/{typed_id}")))
        .then_some(resource)
    })
}

/// The resource type named by a `[base/]Type/id[/_history/v]` reference.
fn reference_type(reference: &str) -> Option<&str> {
    let path = reference.split("/_history/").next()?;
    let mut parts = path.rsplit('/');
    let _id = parts.next().filter(|id| !id.is_empty())?;
    parts.next().filter(|t| {
        t.starts_with(|c: char| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

fn resolve<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out = Vec::new();
    let root = inv.env.root_resource_json();
    for item in inv.input.iter() {
        let Some(reference) = reference_text(item) else {
            continue;
        };
        let local = find_local(root, reference);
        let found = local.or_else(|| inv.env.ctx.resolver.and_then(|r| r.resolve(reference)));
        match found {
            Some(resource) => push_value(resource, None, None, &mut out),
            None => {
                if let Some(ty) = reference_type(reference) {
                    out.push(Item::Node(Node::new(&EMPTY_RESOURCE, Some(ty))));
                }
            }
        }
    }
    Ok(out)
}

fn check_modifiers<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv.input.to_vec())
}

fn conforms_to<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(url) = string_arg(inv.env, &inv.arg(0)?, "profile")? else {
        return Ok(Vec::new());
    };
    let Some(validator) = inv.env.ctx.validator else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in inv.input.iter() {
        let Some(json) = item.json() else { continue };
        let ok = validator
            .conforms_to(json, &url)
            .map_err(FhirPathError::execution)?;
        out.push(Item::boolean(ok));
    }
    Ok(out)
}

fn member_of<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(value_set) = string_arg(inv.env, &inv.arg(0)?, "value set")? else {
        return Ok(Vec::new());
    };
    let (Some(terminology), [item]) = (inv.env.ctx.terminology, &*inv.input) else {
        return Ok(Vec::new());
    };
    let Some(node) = item.node() else {
        return Ok(Vec::new());
    };
    Ok(bool_result(terminology.member_of(
        node.json,
        node.type_name,
        &value_set,
    )))
}

fn subsumption<'a>(inv: &Inv<'_, 'a>, reverse: bool) -> Result<Vec<Item<'a>>> {
    let other = inv.arg(0)?;
    let (Some(terminology), [a], [b]) = (inv.env.ctx.terminology, &*inv.input, other.as_slice())
    else {
        return Ok(Vec::new());
    };
    let (Some(a), Some(b)) = (a.json(), b.json()) else {
        return Ok(Vec::new());
    };
    let answer = if reverse {
        terminology.subsumes(b, a)
    } else {
        terminology.subsumes(a, b)
    };
    Ok(bool_result(answer))
}

fn subsumes<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    subsumption(inv, false)
}

fn subsumed_by<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    subsumption(inv, true)
}

fn html_checks<'a>(_: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(vec![Item::boolean(true)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_types_are_parsed() {
        assert_eq!(reference_type("Patient/1"), Some("Patient"));
        assert_eq!(
            reference_type("http://x/fhir/Observation/a/_history/2"),
            Some("Observation")
        );
        assert_eq!(reference_type("#1"), None);
        assert_eq!(reference_type("urn:uuid:123"), None);
        assert_eq!(reference_type("Patient/"), None);
    }
}
