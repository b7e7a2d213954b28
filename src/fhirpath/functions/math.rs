//! Math functions (<https://hl7.org/fhirpath/N1/#math>).
//!
//! Exact operations (`abs`, `ceiling`, `floor`, `round`, `truncate`, integral
//! `power`) use [`Decimal`]; transcendental ones go through `f64`. Results that
//! are not real numbers (`sqrt(-1)`) are empty.

use super::{Inv, Spec, integer_arg, spec};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::quantity::Quantity;

pub(crate) const SPECS: &[Spec] = &[
    spec("abs", 0, 0, abs),
    spec("ceiling", 0, 0, ceiling),
    spec("exp", 0, 0, exp),
    spec("floor", 0, 0, floor),
    spec("ln", 0, 0, ln),
    spec("log", 1, 1, log),
    spec("power", 1, 1, power),
    spec("round", 0, 1, round),
    spec("sqrt", 0, 0, sqrt),
    spec("truncate", 0, 0, truncate),
];

/// The single numeric input; `None` when empty.
fn number(inv: &Inv<'_, '_>) -> Result<Option<SystemValue<'static>>> {
    match inv.single_value()? {
        None => Ok(None),
        Some(v @ (SystemValue::Integer(_) | SystemValue::Decimal(_))) => Ok(Some(v.into_owned())),
        Some(other) => Err(FhirPathError::execution(format!(
            "{}() needs a number, got {}",
            inv.call.func.name(),
            other.type_name()
        ))),
    }
}

fn decimal_of(v: &SystemValue<'_>) -> Decimal {
    match v {
        SystemValue::Integer(i) => Decimal::from_i64(*i),
        SystemValue::Decimal(d) => *d,
        _ => Decimal::ZERO,
    }
}

fn out<'a>(v: Option<SystemValue<'a>>) -> Result<Vec<Item<'a>>> {
    Ok(v.map(Item::System).into_iter().collect())
}

/// An integral decimal as an Integer item.
fn integral<'a>(d: Decimal) -> Result<Vec<Item<'a>>> {
    out(d.to_i64_exact().map(SystemValue::Integer))
}

fn abs<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    if let Some(SystemValue::Quantity(q)) = inv.single_value()? {
        return out(Some(SystemValue::Quantity(Quantity::new(
            q.value.abs(),
            q.unit,
        ))));
    }
    out(number(inv)?.and_then(|v| match v {
        SystemValue::Integer(i) => i.checked_abs().map(SystemValue::Integer),
        other => Some(SystemValue::Decimal(decimal_of(&other).abs())),
    }))
}

fn ceiling<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    match number(inv)? {
        Some(v) => integral(decimal_of(&v).ceiling()),
        None => Ok(Vec::new()),
    }
}

fn floor<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    match number(inv)? {
        Some(v) => integral(decimal_of(&v).floor()),
        None => Ok(Vec::new()),
    }
}

fn truncate<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    match number(inv)? {
        Some(v) => integral(decimal_of(&v).truncate(0)),
        None => Ok(Vec::new()),
    }
}

fn round<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(v) = number(inv)? else {
        return Ok(Vec::new());
    };
    let digits = integer_arg(inv.env, &inv.arg(0)?, "precision")?.unwrap_or(0);
    let digits = u32::try_from(digits)
        .map_err(|_| FhirPathError::execution("round() precision must be >= 0"))?;
    out(Some(SystemValue::Decimal(decimal_of(&v).round(digits))))
}

/// Applies an `f64` function; non-finite results are empty.
fn float<'a>(inv: &Inv<'_, 'a>, f: impl Fn(f64) -> f64) -> Result<Vec<Item<'a>>> {
    let Some(v) = number(inv)? else {
        return Ok(Vec::new());
    };
    out(Decimal::from_f64(f(decimal_of(&v).to_f64())).map(SystemValue::Decimal))
}

fn exp<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    float(inv, f64::exp)
}

fn ln<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    float(inv, f64::ln)
}

fn sqrt<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    float(inv, f64::sqrt)
}

/// The single numeric argument as `f64`.
fn number_arg(inv: &Inv<'_, '_>) -> Result<Option<SystemValue<'static>>> {
    match inv.arg(0)?.as_slice() {
        [] => Ok(None),
        [item] => match item.to_system(inv.model()) {
            Some(v @ (SystemValue::Integer(_) | SystemValue::Decimal(_))) => {
                Ok(Some(v.into_owned()))
            }
            _ => Err(FhirPathError::execution("argument must be a number")),
        },
        _ => Err(FhirPathError::execution("argument must be a single number")),
    }
}

fn log<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(base) = number_arg(inv)? else {
        return Ok(Vec::new());
    };
    let base = decimal_of(&base).to_f64();
    float(inv, |x| {
        if (base - 10.0).abs() < f64::EPSILON {
            x.log10()
        } else if (base - 2.0).abs() < f64::EPSILON {
            x.log2()
        } else {
            x.ln() / base.ln()
        }
    })
}

fn power<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let (Some(value), Some(exponent)) = (number(inv)?, number_arg(inv)?) else {
        return Ok(Vec::new());
    };
    if let (SystemValue::Integer(b), SystemValue::Integer(e)) = (&value, &exponent)
        && let Ok(e) = u32::try_from(*e)
    {
        return out(b.checked_pow(e).map(SystemValue::Integer));
    }
    let e = decimal_of(&exponent).to_f64();
    float(inv, |x| x.powf(e))
}
