//! Equality, equivalence, ordering and membership
//! (<https://hl7.org/fhirpath/N1/#equality>, <https://hl7.org/fhirpath/N1/#comparison>).

use super::logic::bool_result;
use crate::fhirpath::ast::BinOp;
use crate::fhirpath::datetime::{DateTime, Time};
use crate::fhirpath::datetime_ops::{compare_datetime, compare_time};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::model::ModelProvider;
use std::cmp::Ordering;

/// Either a comparable System value or a complex JSON node.
enum Operand<'x, 'a> {
    Value(SystemValue<'a>),
    Json(&'a serde_json::Value),
    Type(&'x str, &'x str),
    Nothing,
}

fn operand<'x, 'a>(item: &'x Item<'a>, model: &dyn ModelProvider) -> Operand<'x, 'a> {
    if let Item::Type { namespace, name } = item {
        return Operand::Type(namespace, name);
    }
    match item.to_system(model) {
        Some(v) => Operand::Value(v),
        None => match item.json() {
            Some(json) if !json.is_null() => Operand::Json(json),
            _ => Operand::Nothing,
        },
    }
}

/// Numeric view of Integer and Decimal.
fn as_decimal(v: &SystemValue<'_>) -> Option<Decimal> {
    match v {
        SystemValue::Integer(i) => Some(Decimal::from_i64(*i)),
        SystemValue::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// A string read as a date/time when compared with one (implicit conversion).
fn string_as_temporal<'a>(s: &str, like: &SystemValue<'_>) -> Option<SystemValue<'a>> {
    match like {
        SystemValue::Date(_) | SystemValue::DateTime(_) => {
            DateTime::parse_datetime(s).map(SystemValue::DateTime)
        }
        SystemValue::Time(_) => Time::parse(s).map(SystemValue::Time),
        _ => None,
    }
}

/// Promotes a String operand facing a date/time to that type.
fn harmonize<'a>(a: SystemValue<'a>, b: SystemValue<'a>) -> (SystemValue<'a>, SystemValue<'a>) {
    match (&a, &b) {
        (SystemValue::String(s), other) => match string_as_temporal(s, other) {
            Some(converted) => (converted, b),
            None => (a, b),
        },
        (other, SystemValue::String(s)) => match string_as_temporal(s, other) {
            Some(converted) => (a, converted),
            None => (a, b),
        },
        _ => (a, b),
    }
}

/// Ordering of two System values: `Ok(None)` when unknown (precision),
/// `Err` when the types cannot be compared.
fn value_order(a: SystemValue<'_>, b: SystemValue<'_>) -> Result<Option<Ordering>> {
    let (a, b) = harmonize(a, b);
    if let (Some(x), Some(y)) = (as_decimal(&a), as_decimal(&b)) {
        return Ok(Some(x.cmp_value(&y)));
    }
    match (&a, &b) {
        (SystemValue::String(x), SystemValue::String(y)) => Ok(Some(x.cmp(y))),
        (
            SystemValue::Date(x) | SystemValue::DateTime(x),
            SystemValue::Date(y) | SystemValue::DateTime(y),
        ) => Ok(compare_datetime(x, y)),
        (SystemValue::Time(x), SystemValue::Time(y)) => Ok(compare_time(x, y)),
        (SystemValue::Quantity(x), SystemValue::Quantity(y)) => Ok(x.compare(y)),
        _ => Err(FhirPathError::execution(format!(
            "cannot compare {} with {}",
            a.type_name(),
            b.type_name()
        ))),
    }
}

/// `=` of two items: `None` when unknown.
pub(crate) fn item_equal(a: &Item<'_>, b: &Item<'_>, model: &dyn ModelProvider) -> Option<bool> {
    if let (Item::Node(x), Item::Node(y)) = (a, b)
        && std::ptr::eq(x.json, y.json)
        && !x.json.is_null()
    {
        return Some(true);
    }
    match (operand(a, model), operand(b, model)) {
        (Operand::Value(SystemValue::Boolean(x)), Operand::Value(SystemValue::Boolean(y))) => {
            Some(x == y)
        }
        (Operand::Value(x), Operand::Value(y)) => match value_order(x, y) {
            Ok(order) => order.map(|o| o == Ordering::Equal),
            Err(_) => Some(false),
        },
        (Operand::Json(x), Operand::Json(y)) => Some(x == y),
        (Operand::Type(n1, t1), Operand::Type(n2, t2)) => Some(n1 == n2 && t1 == t2),
        (Operand::Nothing, Operand::Nothing) => Some(a.json() == b.json()),
        _ => Some(false),
    }
}

/// Normalises a string for equivalence: lower case, collapsed whitespace.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `~` of two items.
pub(crate) fn item_equivalent(a: &Item<'_>, b: &Item<'_>, model: &dyn ModelProvider) -> bool {
    match (operand(a, model), operand(b, model)) {
        (Operand::Value(x), Operand::Value(y)) => value_equivalent(x, y),
        (Operand::Json(x), Operand::Json(y)) => x == y,
        (Operand::Type(n1, t1), Operand::Type(n2, t2)) => n1 == n2 && t1 == t2,
        (Operand::Nothing, Operand::Nothing) => a.json() == b.json(),
        _ => false,
    }
}

fn value_equivalent(a: SystemValue<'_>, b: SystemValue<'_>) -> bool {
    let (a, b) = harmonize(a, b);
    if let (Some(x), Some(y)) = (as_decimal(&a), as_decimal(&b)) {
        let digits = x.scale().min(y.scale());
        return x.round(digits) == y.round(digits);
    }
    match (&a, &b) {
        (SystemValue::String(x), SystemValue::String(y)) => fold(x) == fold(y),
        (SystemValue::Quantity(x), SystemValue::Quantity(y)) => x.equivalent(y),
        (SystemValue::Boolean(x), SystemValue::Boolean(y)) => x == y,
        _ => matches!(value_order(a, b), Ok(Some(Ordering::Equal))),
    }
}

/// `=`, `!=`, `~`, `!~` on collections.
pub(crate) fn equality_op<'a>(
    op: BinOp,
    left: &[Item<'a>],
    right: &[Item<'a>],
    model: &dyn ModelProvider,
) -> Vec<Item<'a>> {
    let result = match op {
        BinOp::Eq => collection_equal(left, right, model),
        BinOp::NotEq => collection_equal(left, right, model).map(|b| !b),
        BinOp::Equiv => Some(collection_equivalent(left, right, model)),
        _ => Some(!collection_equivalent(left, right, model)),
    };
    bool_result(result)
}

fn collection_equal(
    left: &[Item<'_>],
    right: &[Item<'_>],
    model: &dyn ModelProvider,
) -> Option<bool> {
    if left.is_empty() || right.is_empty() {
        return None;
    }
    if left.len() != right.len() {
        return Some(false);
    }
    let mut unknown = false;
    for (a, b) in left.iter().zip(right) {
        match item_equal(a, b, model) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

fn collection_equivalent(left: &[Item<'_>], right: &[Item<'_>], model: &dyn ModelProvider) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let mut used = vec![false; right.len()];
    left.iter().all(|a| {
        let found = right
            .iter()
            .enumerate()
            .find(|(i, b)| !used[*i] && item_equivalent(a, b, model));
        match found {
            Some((i, _)) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

/// `<`, `>`, `<=`, `>=` on singletons.
pub(crate) fn ordering_op<'a>(
    op: BinOp,
    left: &[Item<'a>],
    right: &[Item<'a>],
    model: &dyn ModelProvider,
) -> Result<Vec<Item<'a>>> {
    let (a, b) = match (left, right) {
        ([], _) | (_, []) => return Ok(Vec::new()),
        ([a], [b]) => (a, b),
        _ => return Err(FhirPathError::execution("comparison needs single items")),
    };
    let (Some(x), Some(y)) = (a.to_system(model), b.to_system(model)) else {
        return Err(FhirPathError::execution(
            "comparison of non-primitive values",
        ));
    };
    if matches!(x, SystemValue::Boolean(_)) || matches!(y, SystemValue::Boolean(_)) {
        return Err(FhirPathError::execution("booleans cannot be ordered"));
    }
    let order = value_order(x, y)?;
    Ok(bool_result(order.map(|o| match op {
        BinOp::Lt => o == Ordering::Less,
        BinOp::Gt => o == Ordering::Greater,
        BinOp::Le => o != Ordering::Greater,
        _ => o != Ordering::Less,
    })))
}

/// Whether `items` already holds an item equal to `item`.
pub(crate) fn contains_item(
    items: &[Item<'_>],
    item: &Item<'_>,
    model: &dyn ModelProvider,
) -> bool {
    items
        .iter()
        .any(|x| item_equal(x, item, model) == Some(true))
}

/// Items without duplicates, first occurrence kept.
pub(crate) fn distinct<'a>(items: Vec<Item<'a>>, model: &dyn ModelProvider) -> Vec<Item<'a>> {
    let mut out: Vec<Item<'a>> = Vec::with_capacity(items.len());
    for item in items {
        if !contains_item(&out, &item, model) {
            out.push(item);
        }
    }
    out
}

/// `|`: both collections merged without duplicates.
pub(crate) fn union<'a>(
    mut left: Vec<Item<'a>>,
    right: Vec<Item<'a>>,
    model: &dyn ModelProvider,
) -> Vec<Item<'a>> {
    left.extend(right);
    distinct(left, model)
}

/// `needle in haystack`.
pub(crate) fn membership<'a>(
    needle: &[Item<'a>],
    haystack: &[Item<'a>],
    model: &dyn ModelProvider,
) -> Result<Vec<Item<'a>>> {
    match needle {
        [] => Ok(Vec::new()),
        [item] => Ok(vec![Item::boolean(contains_item(haystack, item, model))]),
        _ => Err(FhirPathError::execution(
            "membership test needs a single item",
        )),
    }
}

/// Sort order used by `sort()`: numbers, strings, dates…; incomparable = equal.
pub(crate) fn sort_order(a: &Item<'_>, b: &Item<'_>, model: &dyn ModelProvider) -> Ordering {
    match (a.to_system(model), b.to_system(model)) {
        (Some(x), Some(y)) => value_order(x, y).ok().flatten().unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    }
}
