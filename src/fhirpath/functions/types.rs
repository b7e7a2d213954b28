//! Type operations (<https://hl7.org/fhirpath/N1/#types> and
//! <https://hl7.org/fhir/R4/fhirpath.html#types>): `is`, `as`, `ofType()`, `type()`.
//!
//! FHIR nodes are in the `FHIR` namespace and match their type and its bases
//! (`Age` is a `Quantity`); computed values are in `System`. `as`/`ofType` with a
//! FHIR primitive target require the exact type (a `code` is not `as(string)`).

use super::{Inv, Spec, spec};
use crate::fhirpath::ast::TypeSpec;
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::eval::Env;
use crate::fhirpath::item::Item;
use crate::fhirpath::model::{is_primitive_type, is_subtype};
use serde_json::Value;
use std::borrow::Cow;

pub(crate) const SPECS: &[Spec] = &[
    spec("is", 1, 1, is),
    spec("as", 1, 1, as_fn),
    spec("ofType", 1, 1, of_type),
    spec("type", 0, 0, type_fn),
];

const SYSTEM_TYPES: &[&str] = &[
    "Boolean", "String", "Integer", "Decimal", "Date", "DateTime", "Time", "Quantity", "Any",
];

/// Namespace and name of an item's type.
fn item_type<'x>(item: &'x Item<'_>) -> Option<(&'static str, Cow<'x, str>)> {
    match item {
        Item::Node(n) => match (n.type_name, n.json) {
            (Some(t), _) => Some(("FHIR", Cow::Borrowed(t))),
            (None, Value::String(_)) => Some(("System", Cow::Borrowed("String"))),
            (None, Value::Bool(_)) => Some(("System", Cow::Borrowed("Boolean"))),
            (None, Value::Number(num)) if num.as_str().contains(['.', 'e', 'E']) => {
                Some(("System", Cow::Borrowed("Decimal")))
            }
            (None, Value::Number(_)) => Some(("System", Cow::Borrowed("Integer"))),
            _ => None,
        },
        Item::System(v) => Some(("System", Cow::Borrowed(v.type_name()))),
        Item::Type { .. } => Some(("System", Cow::Borrowed("TypeInfo"))),
    }
}

/// Whether `item` is of type `spec` (`exact` for `as`/`ofType`).
fn matches_type(env: &Env<'_>, item: &Item<'_>, spec: &TypeSpec, exact: bool) -> bool {
    let Some((ns, name)) = item_type(item) else {
        return false;
    };
    let target = &*spec.name;
    let fhir_match = || {
        if exact && is_primitive_type(target) {
            name == target
        } else {
            is_subtype(env.ctx.model, &name, target)
        }
    };
    match spec.namespace.as_deref() {
        Some("System") => ns == "System" && (name == target || target == "Any"),
        Some("FHIR") => ns == "FHIR" && fhir_match(),
        _ if ns == "FHIR" => fhir_match(),
        _ => name == target,
    }
}

/// Rejects type names nobody knows (for `as`/`ofType`).
fn check_known(env: &Env<'_>, spec: &TypeSpec) -> Result<()> {
    let name = &*spec.name;
    let known = match spec.namespace.as_deref() {
        Some("System") => SYSTEM_TYPES.contains(&name),
        Some("FHIR") => env.ctx.model.is_known_type(name),
        _ => SYSTEM_TYPES.contains(&name) || env.ctx.model.is_known_type(name),
    };
    if known {
        Ok(())
    } else {
        Err(FhirPathError::execution(format!("unknown type {name}")))
    }
}

fn type_arg<'a>(inv: &Inv<'_, 'a>) -> Result<&'a TypeSpec> {
    inv.call
        .type_arg
        .as_ref()
        .ok_or_else(|| FhirPathError::semantic("missing type argument"))
}

/// `x is T`: empty for empty input, error for several items.
pub(crate) fn is_op<'a>(
    env: &Env<'a>,
    input: &[Item<'a>],
    spec: &TypeSpec,
) -> Result<Vec<Item<'a>>> {
    match input {
        [] => Ok(Vec::new()),
        [item] => Ok(vec![Item::boolean(matches_type(env, item, spec, false))]),
        _ => Err(FhirPathError::execution("'is' needs a single item")),
    }
}

/// `x as T` (operator): the items of type `T`.
pub(crate) fn as_filter<'a>(
    env: &Env<'a>,
    input: &[Item<'a>],
    spec: &TypeSpec,
) -> Result<Vec<Item<'a>>> {
    check_known(env, spec)?;
    Ok(input
        .iter()
        .filter(|i| matches_type(env, i, spec, true))
        .cloned()
        .collect())
}

fn is<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    is_op(inv.env, &inv.input, type_arg(inv)?)
}

fn as_fn<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    inv.single_input()?;
    as_filter(inv.env, &inv.input, type_arg(inv)?)
}

fn of_type<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    as_filter(inv.env, &inv.input, type_arg(inv)?)
}

fn type_fn<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv
        .input
        .iter()
        .filter_map(|item| {
            let (namespace, name) = item_type(item)?;
            Some(Item::Type {
                namespace,
                name: Cow::Owned(name.into_owned()),
            })
        })
        .collect())
}
