//! Conversion functions (<https://hl7.org/fhirpath/N1/#conversion>) and `iif()`.
//!
//! `toX()` returns the converted value or empty; `convertsToX()` says whether
//! `toX()` would return a value. Both need a single input item.

use super::convert_util as cv;
use super::{Inv, Spec, spec, string_arg};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::error::Result;
use crate::fhirpath::eval::logic::strict_bool;
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::quantity::Quantity;
use std::borrow::Cow;

pub(crate) const SPECS: &[Spec] = &[
    spec("iif", 2, 3, iif),
    spec("toBoolean", 0, 0, to_boolean),
    spec("convertsToBoolean", 0, 0, converts_to_boolean),
    spec("toInteger", 0, 0, to_integer),
    spec("convertsToInteger", 0, 0, converts_to_integer),
    spec("toDecimal", 0, 0, to_decimal),
    spec("convertsToDecimal", 0, 0, converts_to_decimal),
    spec("toString", 0, 0, to_string),
    spec("convertsToString", 0, 0, converts_to_string),
    spec("toDate", 0, 0, to_date),
    spec("convertsToDate", 0, 0, converts_to_date),
    spec("toDateTime", 0, 0, to_datetime),
    spec("convertsToDateTime", 0, 0, converts_to_datetime),
    spec("toTime", 0, 0, to_time),
    spec("convertsToTime", 0, 0, converts_to_time),
    spec("toQuantity", 0, 1, to_quantity),
    spec("convertsToQuantity", 0, 1, converts_to_quantity),
];

/// `iif(criterion, true-result [, otherwise-result])`: with an explicit input
/// the arguments see it as focus and `$this`.
fn iif<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let explicit = inv.call.target.is_some();
    if explicit {
        inv.single_input()?;
    }
    let eval = |i: usize| {
        if explicit {
            inv.arg_with_focus(i, &inv.input)
        } else {
            inv.arg(i)
        }
    };
    let criterion = strict_bool(&eval(0)?, inv.model(), "iif() criterion")?;
    if criterion == Some(true) {
        eval(1)
    } else {
        eval(2)
    }
}

/// Applies a conversion to the single input value.
fn convert<'a>(
    inv: &Inv<'_, 'a>,
    f: impl Fn(&SystemValue<'a>) -> Option<SystemValue<'a>>,
) -> Result<Vec<Item<'a>>> {
    let value = inv.single_value()?;
    Ok(value
        .as_ref()
        .and_then(f)
        .map(Item::System)
        .into_iter()
        .collect())
}

/// Whether the conversion succeeds (empty for empty input).
fn converts<'a>(
    inv: &Inv<'_, 'a>,
    f: impl Fn(&SystemValue<'a>) -> Option<SystemValue<'a>>,
) -> Result<Vec<Item<'a>>> {
    if inv.single_input()?.is_none() {
        return Ok(Vec::new());
    }
    let value = inv.single_value()?;
    Ok(vec![Item::boolean(value.as_ref().and_then(f).is_some())])
}

fn as_boolean<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_boolean(v).map(SystemValue::Boolean)
}

fn as_integer<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_integer(v).map(SystemValue::Integer)
}

fn as_decimal<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_decimal(v).map(SystemValue::Decimal)
}

fn as_string<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_string(v).map(|s| SystemValue::String(Cow::Owned(s)))
}

fn as_date<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_date(v).map(SystemValue::Date)
}

fn as_datetime<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_datetime(v).map(SystemValue::DateTime)
}

fn as_time<'a>(v: &SystemValue<'a>) -> Option<SystemValue<'a>> {
    cv::to_time(v).map(SystemValue::Time)
}

fn to_boolean<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_boolean)
}

fn converts_to_boolean<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_boolean)
}

fn to_integer<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_integer)
}

fn converts_to_integer<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_integer)
}

fn to_decimal<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_decimal)
}

fn converts_to_decimal<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_decimal)
}

fn to_string<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_string)
}

fn converts_to_string<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_string)
}

fn to_date<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_date)
}

fn converts_to_date<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_date)
}

fn to_datetime<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_datetime)
}

fn converts_to_datetime<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_datetime)
}

fn to_time<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    convert(inv, as_time)
}

fn converts_to_time<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    converts(inv, as_time)
}

/// The quantity, converted to `unit` when one is given and compatible.
fn quantity_in<'a>(v: &SystemValue<'a>, unit: Option<&str>) -> Option<SystemValue<'a>> {
    let q = cv::to_quantity(v)?;
    let q = match unit {
        None => q,
        Some(u) if u == q.unit => q,
        Some(u) => Quantity::new(Decimal::ZERO, u).add(&q, false)?,
    };
    Some(SystemValue::Quantity(q))
}

fn unit_arg<'a>(inv: &Inv<'_, 'a>) -> Result<Option<Cow<'a, str>>> {
    string_arg(inv.env, &inv.arg(0)?, "unit")
}

fn to_quantity<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let unit = unit_arg(inv)?;
    convert(inv, |v| quantity_in(v, unit.as_deref()))
}

fn converts_to_quantity<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let unit = unit_arg(inv)?;
    converts(inv, |v| quantity_in(v, unit.as_deref()))
}
