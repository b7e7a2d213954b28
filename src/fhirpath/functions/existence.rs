//! Existence functions (<https://hl7.org/fhirpath/N1/#existence>) and `not()`.

use super::{Inv, Spec, spec};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::eval::compare::{contains_item, distinct as distinct_items};
use crate::fhirpath::eval::logic::{bool_result, to_bool3};
use crate::fhirpath::item::{Item, SystemValue};

pub(crate) const SPECS: &[Spec] = &[
    spec("empty", 0, 0, empty),
    spec("exists", 0, 1, exists),
    spec("all", 1, 1, all),
    spec("allTrue", 0, 0, all_true),
    spec("anyTrue", 0, 0, any_true),
    spec("allFalse", 0, 0, all_false),
    spec("anyFalse", 0, 0, any_false),
    spec("subsetOf", 1, 1, subset_of),
    spec("supersetOf", 1, 1, superset_of),
    spec("count", 0, 0, count),
    spec("distinct", 0, 0, distinct),
    spec("isDistinct", 0, 0, is_distinct),
    spec("not", 0, 0, not),
];

fn one<'a>(b: bool) -> Result<Vec<Item<'a>>> {
    Ok(vec![Item::boolean(b)])
}

fn empty<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    one(inv.input.is_empty())
}

/// True when the criterion holds for item `i`.
fn holds<'a>(inv: &Inv<'_, 'a>, item: &Item<'a>, i: usize) -> Result<bool> {
    Ok(to_bool3(&inv.lambda(0, item, i)?, inv.model())? == Some(true))
}

fn exists<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    if inv.arg_ast(0).is_none() {
        return one(!inv.input.is_empty());
    }
    for (i, item) in inv.input.iter().enumerate() {
        if holds(inv, item, i)? {
            return one(true);
        }
    }
    one(false)
}

fn all<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    for (i, item) in inv.input.iter().enumerate() {
        if !holds(inv, item, i)? {
            return one(false);
        }
    }
    one(true)
}

/// The input's items as booleans; error for non-Boolean items.
fn booleans(inv: &Inv<'_, '_>) -> Result<Vec<bool>> {
    inv.input
        .iter()
        .map(|item| match item.to_system(inv.model()) {
            Some(SystemValue::Boolean(b)) => Ok(b),
            _ => Err(FhirPathError::execution(format!(
                "{}() needs Boolean items",
                inv.call.func.name()
            ))),
        })
        .collect()
}

fn all_true<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    one(booleans(inv)?.iter().all(|b| *b))
}

fn any_true<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    one(booleans(inv)?.iter().any(|b| *b))
}

fn all_false<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    one(booleans(inv)?.iter().all(|b| !*b))
}

fn any_false<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    one(booleans(inv)?.iter().any(|b| !*b))
}

fn subset_of<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let other = inv.arg(0)?;
    one(inv
        .input
        .iter()
        .all(|i| contains_item(&other, i, inv.model())))
}

fn superset_of<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let other = inv.arg(0)?;
    one(other
        .iter()
        .all(|i| contains_item(&inv.input, i, inv.model())))
}

fn count<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(vec![Item::integer(
        i64::try_from(inv.input.len()).unwrap_or(i64::MAX),
    )])
}

fn distinct<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(distinct_items(inv.input.to_vec(), inv.model()))
}

fn is_distinct<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let unique = distinct_items(inv.input.to_vec(), inv.model()).len();
    one(unique == inv.input.len())
}

fn not<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(bool_result(to_bool3(&inv.input, inv.model())?.map(|b| !b)))
}
