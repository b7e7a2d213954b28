//! Tree navigation (<https://hl7.org/fhirpath/N1/#tree-navigation>).

use super::{Inv, Spec, spec};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::Item;

/// Upper bound on `descendants()` results, against pathological inputs.
const DESCENDANT_LIMIT: usize = 1_000_000;

pub(crate) const SPECS: &[Spec] = &[
    spec("children", 0, 0, children),
    spec("descendants", 0, 0, descendants),
];

fn children<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out = Vec::new();
    inv.env.nav.children(&inv.input, &mut out);
    Ok(out)
}

fn descendants<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let mut out = Vec::new();
    let mut level = Vec::new();
    inv.env.nav.children(&inv.input, &mut level);
    while !level.is_empty() {
        let mut next = Vec::new();
        inv.env.nav.children(&level, &mut next);
        out.append(&mut level);
        if out.len() > DESCENDANT_LIMIT {
            return Err(FhirPathError::execution(
                "descendants() produced too many items",
            ));
        }
        level = next;
    }
    Ok(out)
}
