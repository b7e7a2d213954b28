//! Filtering and projection (<https://hl7.org/fhirpath/N1/#filtering-and-projection>),
//! `aggregate()` (<https://hl7.org/fhirpath/N1/#aggregates>) and `sort()`.

use super::{Inv, Spec, spec};
use crate::fhirpath::ast::Ast;
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::eval::Scope;
use crate::fhirpath::eval::compare::{contains_item, sort_order};
use crate::fhirpath::eval::logic::to_bool3;
use crate::fhirpath::item::Item;
use crate::fhirpath::model::ModelProvider;
use std::cmp::Ordering;

/// Upper bound on the items `repeat()` may produce (guards against runaway
/// projections such as `repeat($this + 1)`).
const REPEAT_LIMIT: usize = 100_000;

pub(crate) const SPECS: &[Spec] = &[
    spec("where", 1, 1, where_),
    spec("select", 1, 1, select),
    spec("repeat", 1, 1, repeat),
    spec("aggregate", 1, 2, aggregate),
    spec("sort", 0, 8, sort),
];

fn where_<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out = Vec::new();
    for (i, item) in inv.input.iter().enumerate() {
        if to_bool3(&inv.lambda(0, item, i)?, inv.model())? == Some(true) {
            out.push(item.clone());
        }
    }
    Ok(out)
}

fn select<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out = Vec::new();
    for (i, item) in inv.input.iter().enumerate() {
        out.extend(inv.lambda(0, item, i)?);
    }
    Ok(out)
}

fn repeat<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out: Vec<Item<'a>> = Vec::new();
    let mut pending: Vec<Item<'a>> = inv.input.to_vec();
    while !pending.is_empty() {
        let mut next = Vec::new();
        for (i, item) in pending.iter().enumerate() {
            for found in inv.lambda(0, item, i)? {
                if !contains_item(&out, &found, inv.model()) {
                    out.push(found.clone());
                    next.push(found);
                }
            }
            if out.len() > REPEAT_LIMIT {
                return Err(FhirPathError::execution("repeat() produced too many items"));
            }
        }
        pending = next;
    }
    Ok(out)
}

fn aggregate<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut total = inv.arg(1)?;
    for (i, item) in inv.input.iter().enumerate() {
        total = inv.lambda_total(0, item, i, Some(&total))?;
    }
    Ok(total)
}

/// Sort keys: `(argument index, descending)`; a leading unary minus on a key
/// expression means descending order.
fn sort_keys(inv: &Inv<'_, '_>) -> Vec<(usize, bool)> {
    (0..inv.call.args.len())
        .map(|i| (i, matches!(inv.arg_ast(i), Some(Ast::Negate(_)))))
        .collect()
}

/// The first item of sort key `k` for `item` (evaluating the operand of a
/// leading minus for descending keys).
fn sort_key<'a>(
    inv: &Inv<'_, 'a>,
    k: usize,
    descending: bool,
    item: &Item<'a>,
    i: usize,
) -> Result<Option<Item<'a>>> {
    let key = match (descending, inv.arg_ast(k)) {
        (true, Some(Ast::Negate(inner))) => {
            let this = std::slice::from_ref(item);
            let scope = Scope {
                this,
                index: Some(i),
                total: None,
            };
            inv.env.eval(inner, this, &scope)?
        }
        _ => inv.lambda(k, item, i)?,
    };
    Ok(key.into_iter().next())
}

fn compare_keys(
    keys: &[(usize, bool)],
    a: &[Option<Item<'_>>],
    b: &[Option<Item<'_>>],
    model: &dyn ModelProvider,
) -> Ordering {
    for ((_, descending), (x, y)) in keys.iter().zip(a.iter().zip(b)) {
        // Empty keys sort first in both directions.
        let ord = match (x, y) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) if *descending => sort_order(x, y, model).reverse(),
            (Some(x), Some(y)) => sort_order(x, y, model),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn sort<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let model = inv.model();
    let keys = sort_keys(inv);
    if keys.is_empty() {
        let mut items = inv.input.to_vec();
        items.sort_by(|a, b| sort_order(a, b, model));
        return Ok(items);
    }
    let mut rows = Vec::with_capacity(inv.input.len());
    for (i, item) in inv.input.iter().enumerate() {
        let values = keys
            .iter()
            .map(|(k, descending)| sort_key(inv, *k, *descending, item, i))
            .collect::<Result<Vec<_>>>()?;
        rows.push((item.clone(), values));
    }
    rows.sort_by(|(_, a), (_, b)| compare_keys(&keys, a, b, model));
    Ok(rows.into_iter().map(|(item, _)| item).collect())
}
