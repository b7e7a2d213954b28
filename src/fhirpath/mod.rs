//! FHIRPath engine over FHIR R4 JSON (<https://hl7.org/fhirpath/N1/>,
//! <https://hl7.org/fhir/R4/fhirpath.html>). Pure: no I/O, no global state
//! besides a bounded regex cache.
//!
//! Usage: [`compile`] an expression once, then [`evaluate`] it against many
//! resources. Results borrow the resource: each [`Item`] is a JSON [`Node`] (with
//! its FHIR type when the [`ModelProvider`] knows it) or a computed [`SystemValue`].
//!
//! Errors ([`FhirPathError`]): `Syntax` and `Semantic` come from [`compile`]
//! (or from evaluation for problems only visible on data, e.g. an unknown
//! variable); `Execution` from [`evaluate`] (e.g. `single()` on several items).
//! Nothing panics on any input.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod ast;
mod context;
mod datetime;
mod datetime_ops;
mod decimal;
mod error;
mod eval;
mod functions;
mod item;
mod lexer;
mod model;
mod navigate;
mod parser;
mod quantity;
mod r4;
pub mod suite;
mod ucum;

pub use context::{Context, ProfileValidator, ReferenceResolver, Terminology, TraceSink};
pub use datetime::{DateTime, Precision, Time};
pub use decimal::Decimal;
pub use error::FhirPathError;
pub use item::{Collection, Item, Node, SystemValue};
pub use model::{ElementType, ModelProvider, NullModel, PRIMITIVE_TYPES, is_primitive_type};
pub use quantity::Quantity;
pub use r4::{R4Model, r4_model};

use serde_json::Value;

/// A compiled FHIRPath expression: parse once, evaluate many times.
#[derive(Clone, Debug)]
pub struct Expr {
    ast: ast::Ast,
    source: String,
}

impl Expr {
    /// The source text the expression was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Compiles `src`; fails with `Syntax` for malformed text and `Semantic` for
/// unknown functions, wrong argument counts or malformed type arguments.
pub fn compile(src: &str) -> Result<Expr, FhirPathError> {
    Ok(Expr {
        ast: parser::parse(src)?,
        source: src.to_owned(),
    })
}

/// Evaluates `expr` with `root` as `%context`, `$this` and (unless the context
/// says otherwise) `%resource`/`%rootResource`. A JSON `null` root is an empty
/// input. Fails with `Execution` (or `Semantic`) errors as described in the module docs.
pub fn evaluate<'a>(
    expr: &'a Expr,
    root: &'a Value,
    ctx: &'a Context<'_>,
) -> Result<Collection<'a>, FhirPathError> {
    if ctx.strict {
        let root_type = root.get("resourceType").and_then(Value::as_str);
        eval::strict::check(&expr.ast, root_type, ctx.model)?;
    }
    let env = eval::Env::new(ctx, root);
    let focus = env.context_item.as_slice();
    let scope = eval::Scope {
        this: focus,
        index: None,
        total: None,
    };
    Ok(Collection::new(env.eval(&expr.ast, focus, &scope)?))
}

/// Compiles and evaluates in one step (convenience for one-off use).
pub fn evaluate_str(
    src: &str,
    root: &Value,
    ctx: &Context<'_>,
) -> Result<Vec<SystemValue<'static>>, FhirPathError> {
    let expr = compile(src)?;
    let result = evaluate(&expr, root, ctx)?;
    Ok(result
        .iter()
        .filter_map(|item| item.to_system(ctx.model).map(SystemValue::into_owned))
        .collect())
}

#[cfg(test)]
mod tests;
