//! Subsetting functions (<https://hl7.org/fhirpath/N1/#subsetting>).

use super::{Inv, Spec, integer_arg, spec};
use crate::fhirpath::error::Result;
use crate::fhirpath::eval::compare::{contains_item, distinct};
use crate::fhirpath::item::Item;

pub(crate) const SPECS: &[Spec] = &[
    spec("single", 0, 0, single),
    spec("first", 0, 0, first),
    spec("last", 0, 0, last),
    spec("tail", 0, 0, tail),
    spec("skip", 1, 1, skip),
    spec("take", 1, 1, take),
    spec("intersect", 1, 1, intersect),
    spec("exclude", 1, 1, exclude),
];

fn single<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv.single_input()?.cloned().into_iter().collect())
}

fn first<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv.input.first().cloned().into_iter().collect())
}

fn last<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv.input.last().cloned().into_iter().collect())
}

fn tail<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv.input.iter().skip(1).cloned().collect())
}

/// The count argument, clamped to `0..=len` (empty argument → `None`).
fn count_arg(inv: &Inv<'_, '_>) -> Result<Option<usize>> {
    let n = integer_arg(inv.env, &inv.arg(0)?, "count")?;
    Ok(n.map(|n| usize::try_from(n.max(0)).unwrap_or(usize::MAX)))
}

fn skip<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let n = count_arg(inv)?.unwrap_or(0);
    Ok(inv.input.iter().skip(n).cloned().collect())
}

fn take<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let n = count_arg(inv)?.unwrap_or(0);
    Ok(inv.input.iter().take(n).cloned().collect())
}

fn intersect<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let other = inv.arg(0)?;
    let model = inv.model();
    let common = inv
        .input
        .iter()
        .filter(|i| contains_item(&other, i, model))
        .cloned()
        .collect();
    Ok(distinct(common, model))
}

fn exclude<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let other = inv.arg(0)?;
    let model = inv.model();
    Ok(inv
        .input
        .iter()
        .filter(|i| !contains_item(&other, i, model))
        .cloned()
        .collect())
}
