//! Three-valued boolean logic (<https://hl7.org/fhirpath/N1/#boolean-logic>) and
//! singleton evaluation of collections as booleans
//! (<https://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections>).

use super::{Env, Scope};
use crate::fhirpath::ast::{Ast, BinOp};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::model::ModelProvider;

/// A collection as a boolean: empty → `None`; one Boolean → its value; one
/// other item → `true`; several items → error.
pub(crate) fn to_bool3(items: &[Item<'_>], model: &dyn ModelProvider) -> Result<Option<bool>> {
    match items {
        [] => Ok(None),
        [item] => Ok(Some(match item.to_system(model) {
            Some(SystemValue::Boolean(b)) => b,
            _ => true,
        })),
        _ => Err(FhirPathError::execution(
            "a collection of several items cannot be used as a boolean",
        )),
    }
}

/// A collection that must be empty or one Boolean (e.g. `iif` criteria).
pub(crate) fn strict_bool(
    items: &[Item<'_>],
    model: &dyn ModelProvider,
    what: &str,
) -> Result<Option<bool>> {
    match items {
        [] => Ok(None),
        [item] => match item.to_system(model) {
            Some(SystemValue::Boolean(b)) => Ok(Some(b)),
            _ => Err(FhirPathError::execution(format!(
                "{what} must be a Boolean"
            ))),
        },
        _ => Err(FhirPathError::execution(format!(
            "{what} must be a single Boolean"
        ))),
    }
}

/// The collection for an optional boolean.
pub(crate) fn bool_result<'a>(value: Option<bool>) -> Vec<Item<'a>> {
    value.map(Item::boolean).into_iter().collect()
}

/// `and`, `or`, `xor`, `implies`, short-circuiting where the left side decides.
pub(crate) fn boolean_op<'a>(
    env: &Env<'a>,
    op: BinOp,
    lhs: &'a Ast,
    rhs: &'a Ast,
    focus: &[Item<'a>],
    scope: &Scope<'_, 'a>,
) -> Result<Vec<Item<'a>>> {
    let model = env.ctx.model;
    let left = to_bool3(&env.eval(lhs, focus, scope)?, model)?;
    let decided = match (op, left) {
        (BinOp::And, Some(false)) => Some(false),
        (BinOp::Or, Some(true)) | (BinOp::Implies, Some(false)) => Some(true),
        _ => None,
    };
    if decided.is_some() {
        return Ok(bool_result(decided));
    }
    let right = to_bool3(&env.eval(rhs, focus, scope)?, model)?;
    let result = match op {
        BinOp::And => match (left, right) {
            (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinOp::Or => match (left, right) {
            (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        BinOp::Xor => left.zip(right).map(|(a, b)| a != b),
        _ => match (left, right) {
            (Some(true), r) => r,
            (None, Some(true)) => Some(true),
            _ => None,
        },
    };
    Ok(bool_result(result))
}
