//! Combining functions (<https://hl7.org/fhirpath/N1/#combining>).

use super::{Inv, Spec, spec};
use crate::fhirpath::error::Result;
use crate::fhirpath::eval::compare::union as union_items;
use crate::fhirpath::item::Item;

pub(crate) const SPECS: &[Spec] = &[spec("union", 1, 1, union), spec("combine", 1, 1, combine)];

fn union<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(union_items(inv.input.to_vec(), inv.arg(0)?, inv.model()))
}

fn combine<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out = inv.input.to_vec();
    out.extend(inv.arg(0)?);
    Ok(out)
}
