//! Arithmetic operators (<https://hl7.org/fhirpath/N1/#math>) and date/time
//! arithmetic with calendar durations (<https://hl7.org/fhirpath/N1/#datetime-arithmetic>).
//!
//! Operands must be singletons; an empty operand gives an empty result; overflow
//! and division by zero give an empty result; incompatible types are errors.

use crate::fhirpath::ast::BinOp;
use crate::fhirpath::datetime_ops::{CalendarUnit, add_to_datetime, add_to_time};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::model::ModelProvider;
use crate::fhirpath::quantity::Quantity;
use std::borrow::Cow;

/// The single System value of an operand; `Ok(None)` when empty.
fn single<'a>(
    items: &[Item<'a>],
    model: &dyn ModelProvider,
    what: &str,
) -> Result<Option<SystemValue<'a>>> {
    match items {
        [] => Ok(None),
        [item] => item.to_system(model).map(Some).ok_or_else(|| {
            FhirPathError::execution(format!("{what}: operand is not a primitive value"))
        }),
        _ => Err(FhirPathError::execution(format!(
            "{what}: operand has several items"
        ))),
    }
}

fn mismatch(op: BinOp, a: &SystemValue<'_>, b: &SystemValue<'_>) -> FhirPathError {
    FhirPathError::execution(format!(
        "operator {op:?} is not defined for {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

/// Evaluates a binary arithmetic operator (`+ - * / div mod &`).
pub(crate) fn binary<'a>(
    op: BinOp,
    left: &[Item<'a>],
    right: &[Item<'a>],
    model: &dyn ModelProvider,
) -> Result<Vec<Item<'a>>> {
    if op == BinOp::Concat {
        return concat(left, right, model);
    }
    let (Some(a), Some(b)) = (
        single(left, model, "arithmetic")?,
        single(right, model, "arithmetic")?,
    ) else {
        return Ok(Vec::new());
    };
    Ok(values_op(op, &a, &b)?
        .map(Item::System)
        .into_iter()
        .collect())
}

/// Arithmetic on two System values; `Ok(None)` for overflow or division by zero.
fn values_op<'a>(
    op: BinOp,
    a: &SystemValue<'a>,
    b: &SystemValue<'a>,
) -> Result<Option<SystemValue<'a>>> {
    Ok(match (a, b) {
        (SystemValue::Integer(x), SystemValue::Integer(y)) => integer_op(op, *x, *y),
        (
            SystemValue::Integer(_) | SystemValue::Decimal(_),
            SystemValue::Integer(_) | SystemValue::Decimal(_),
        ) => decimal_op(op, &to_decimal(a), &to_decimal(b)),
        (SystemValue::String(x), SystemValue::String(y)) if op == BinOp::Add => {
            Some(SystemValue::String(Cow::Owned(format!("{x}{y}"))))
        }
        (SystemValue::Quantity(x), SystemValue::Quantity(y)) => quantity_op(op, x, y),
        (SystemValue::Quantity(x), SystemValue::Integer(_) | SystemValue::Decimal(_))
            if matches!(op, BinOp::Mul | BinOp::Div) =>
        {
            quantity_op(op, x, &Quantity::new(to_decimal(b), "1"))
        }
        (SystemValue::Integer(_) | SystemValue::Decimal(_), SystemValue::Quantity(y))
            if op == BinOp::Mul =>
        {
            quantity_op(op, &Quantity::new(to_decimal(a), "1"), y)
        }
        (_, SystemValue::Quantity(q)) if matches!(op, BinOp::Add | BinOp::Sub) => {
            temporal_op(op, a, q)?
        }
        _ => return Err(mismatch(op, a, b)),
    })
}

fn to_decimal(v: &SystemValue<'_>) -> Decimal {
    match v {
        SystemValue::Integer(i) => Decimal::from_i64(*i),
        SystemValue::Decimal(d) => *d,
        _ => Decimal::ZERO,
    }
}

fn integer_op<'a>(op: BinOp, x: i64, y: i64) -> Option<SystemValue<'a>> {
    let int = |v: Option<i64>| v.map(SystemValue::Integer);
    match op {
        BinOp::Add => int(x.checked_add(y)),
        BinOp::Sub => int(x.checked_sub(y)),
        BinOp::Mul => int(x.checked_mul(y)),
        BinOp::IntDiv => int(x.checked_div(y)),
        BinOp::Mod => int(x.checked_rem(y)),
        _ => decimal_op(op, &Decimal::from_i64(x), &Decimal::from_i64(y)),
    }
}

fn decimal_op<'a>(op: BinOp, x: &Decimal, y: &Decimal) -> Option<SystemValue<'a>> {
    let dec = |v: Option<Decimal>| v.map(SystemValue::Decimal);
    match op {
        BinOp::Add => dec(x.checked_add(y)),
        BinOp::Sub => dec(x.checked_sub(y)),
        BinOp::Mul => dec(x.checked_mul(y)),
        BinOp::Div => dec(x.checked_div(y)),
        BinOp::IntDiv => x
            .checked_div_trunc(y)
            .and_then(|d| d.to_i64_exact())
            .map(SystemValue::Integer),
        BinOp::Mod => dec(x.checked_rem(y)),
        _ => None,
    }
}

fn quantity_op<'a>(op: BinOp, x: &Quantity, y: &Quantity) -> Option<SystemValue<'a>> {
    let q = match op {
        BinOp::Add => x.add(y, false),
        BinOp::Sub => x.add(y, true),
        BinOp::Mul => x.mul_div(y, false),
        BinOp::Div => x.mul_div(y, true),
        _ => None,
    };
    q.map(SystemValue::Quantity)
}

/// Date/DateTime/Time plus or minus a calendar duration.
fn temporal_op<'a>(
    op: BinOp,
    value: &SystemValue<'a>,
    q: &Quantity,
) -> Result<Option<SystemValue<'a>>> {
    let unit = CalendarUnit::from_unit(&q.unit).ok_or_else(|| {
        FhirPathError::execution(format!("'{}' is not a calendar duration", q.unit))
    })?;
    let Some(mut amount) = q.value.truncate(0).to_i64_exact() else {
        return Ok(None);
    };
    if op == BinOp::Sub {
        amount = -amount;
    }
    Ok(match value {
        SystemValue::Date(d) => add_to_datetime(d, amount, unit).map(SystemValue::Date),
        SystemValue::DateTime(d) => add_to_datetime(d, amount, unit).map(SystemValue::DateTime),
        SystemValue::Time(t) => add_to_time(t, amount, unit).map(SystemValue::Time),
        other => return Err(mismatch(op, other, &SystemValue::Quantity(q.clone()))),
    })
}

/// `&`: string concatenation treating empty as `''`.
fn concat<'a>(
    left: &[Item<'a>],
    right: &[Item<'a>],
    model: &dyn ModelProvider,
) -> Result<Vec<Item<'a>>> {
    let text = |items: &[Item<'a>]| -> Result<String> {
        match single(items, model, "&")? {
            None => Ok(String::new()),
            Some(SystemValue::String(s)) => Ok(s.into_owned()),
            Some(other) => Err(FhirPathError::execution(format!(
                "& needs strings, got {}",
                other.type_name()
            ))),
        }
    };
    Ok(vec![Item::string(text(left)? + &text(right)?)])
}

/// Unary minus.
pub(crate) fn negate<'a>(items: Vec<Item<'a>>, model: &dyn ModelProvider) -> Result<Vec<Item<'a>>> {
    let Some(value) = single(&items, model, "unary -")? else {
        return Ok(Vec::new());
    };
    let negated = match value {
        SystemValue::Integer(i) => i.checked_neg().map(SystemValue::Integer),
        SystemValue::Decimal(d) => Some(SystemValue::Decimal(d.neg())),
        SystemValue::Quantity(q) => {
            Some(SystemValue::Quantity(Quantity::new(q.value.neg(), q.unit)))
        }
        other => {
            return Err(FhirPathError::execution(format!(
                "cannot negate {}",
                other.type_name()
            )));
        }
    };
    Ok(negated.map(Item::System).into_iter().collect())
}

/// Unary plus: numbers and quantities unchanged.
pub(crate) fn unary_plus<'a>(
    items: Vec<Item<'a>>,
    model: &dyn ModelProvider,
) -> Result<Vec<Item<'a>>> {
    match single(&items, model, "unary +")? {
        None => Ok(Vec::new()),
        Some(
            v @ (SystemValue::Integer(_) | SystemValue::Decimal(_) | SystemValue::Quantity(_)),
        ) => Ok(vec![Item::System(v)]),
        Some(other) => Err(FhirPathError::execution(format!(
            "cannot apply + to {}",
            other.type_name()
        ))),
    }
}
