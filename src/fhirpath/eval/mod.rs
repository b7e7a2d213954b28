//! The evaluator: walks the [`Ast`] over a focus collection
//! (<https://hl7.org/fhirpath/N1/#path-selection>).
//!
//! Every node evaluates against a *focus* (the input collection of a path step)
//! and a [`Scope`] holding `$this`, `$index` and `$total`. Results borrow the
//! input JSON, the context and the expression; computed values are owned.

pub(crate) mod arith;
pub(crate) mod compare;
pub(crate) mod logic;
pub(crate) mod strict;

use super::ast::{Ast, BinOp, Literal, Name};
use super::context::Context;
use super::datetime::DateTime;
use super::datetime_ops::now_utc;
use super::error::{FhirPathError, Result};
use super::functions;
use super::item::{Item, Node, SystemValue};
use super::model::is_subtype;
use super::navigate::{Navigator, push_value};
use std::borrow::Cow;
use std::cell::OnceCell;

/// `$this`, `$index` and `$total` of the innermost iteration.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s, 'a> {
    pub this: &'s [Item<'a>],
    pub index: Option<usize>,
    pub total: Option<&'s [Item<'a>]>,
}

/// Per-evaluation state.
pub(crate) struct Env<'a> {
    pub ctx: &'a Context<'a>,
    pub nav: Navigator<'a>,
    pub context_item: Vec<Item<'a>>,
    resource: &'a serde_json::Value,
    root_resource: &'a serde_json::Value,
    now: OnceCell<DateTime>,
}

/// A resource (or nothing for JSON `null`) as a collection.
fn root_collection(json: &serde_json::Value) -> Vec<Item<'_>> {
    if json.is_null() {
        Vec::new()
    } else {
        vec![Item::Node(Node::resource(json))]
    }
}

impl<'a> Env<'a> {
    /// State for evaluating against `root` (which is `%context` and `$this`).
    pub fn new(ctx: &'a Context<'a>, root: &'a serde_json::Value) -> Env<'a> {
        let resource_json = ctx.resource.unwrap_or(root);
        let root_json = ctx.root_resource.unwrap_or(resource_json);
        Env {
            ctx,
            nav: Navigator {
                model: ctx.model,
                strict: ctx.strict,
            },
            context_item: root_collection(root),
            resource: resource_json,
            root_resource: root_json,
            now: OnceCell::new(),
        }
    }

    /// The evaluation's clock (fixed by the context, or read once).
    pub fn now(&self) -> DateTime {
        *self
            .now
            .get_or_init(|| self.ctx.now.unwrap_or_else(now_utc))
    }

    /// The JSON of `%rootResource` (where contained resources and Bundle entries live).
    pub fn root_resource_json(&self) -> &'a serde_json::Value {
        self.root_resource
    }

    /// Evaluates `ast` with input `focus`.
    pub fn eval(
        &self,
        ast: &'a Ast,
        focus: &[Item<'a>],
        scope: &Scope<'_, 'a>,
    ) -> Result<Vec<Item<'a>>> {
        match ast {
            Ast::Empty => Ok(Vec::new()),
            Ast::Literal(lit) => Ok(vec![literal(lit)]),
            Ast::Ident(name) => self.ident(focus, name),
            Ast::Member(target, name) => {
                let input = self.eval(target, focus, scope)?;
                let mut out = Vec::with_capacity(input.len());
                self.nav.members(&input, name, &mut out)?;
                Ok(out)
            }
            Ast::Call(call) => functions::call(self, call, focus, scope),
            Ast::Index(target, index) => self.index(target, index, focus, scope),
            Ast::This => Ok(scope.this.to_vec()),
            Ast::IndexVar => Ok(scope
                .index
                .and_then(|i| i64::try_from(i).ok())
                .map(Item::integer)
                .into_iter()
                .collect()),
            Ast::Total => Ok(scope.total.map(<[Item<'a>]>::to_vec).unwrap_or_default()),
            Ast::Var(name) => self.variable(name),
            Ast::Negate(inner) => arith::negate(self.eval(inner, focus, scope)?, self.ctx.model),
            Ast::Plus(inner) => arith::unary_plus(self.eval(inner, focus, scope)?, self.ctx.model),
            Ast::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, focus, scope),
            Ast::Is(inner, spec) => {
                let input = self.eval(inner, focus, scope)?;
                functions::types::is_op(self, &input, spec)
            }
            Ast::As(inner, spec) => {
                let input = self.eval(inner, focus, scope)?;
                functions::types::as_filter(self, &input, spec)
            }
        }
    }

    /// A leading identifier: a type name selects matching focus items,
    /// anything else navigates into the focus.
    fn ident(&self, focus: &[Item<'a>], name: &Name) -> Result<Vec<Item<'a>>> {
        if name.text.starts_with(|c: char| c.is_ascii_uppercase()) {
            let model = self.ctx.model;
            let matched: Vec<Item<'a>> = focus
                .iter()
                .filter(|item| {
                    item.node()
                        .and_then(|n| n.type_name)
                        .is_some_and(|t| is_subtype(model, t, &name.text))
                })
                .cloned()
                .collect();
            if !matched.is_empty() {
                return Ok(matched);
            }
            if model.is_resource_type(&name.text) {
                if self.ctx.strict {
                    return Err(FhirPathError::semantic(format!(
                        "the input is not a {}",
                        name.text
                    )));
                }
                return Ok(Vec::new());
            }
        }
        let mut out = Vec::new();
        self.nav.members(focus, name, &mut out)?;
        Ok(out)
    }

    fn index(
        &self,
        target: &'a Ast,
        index: &'a Ast,
        focus: &[Item<'a>],
        scope: &Scope<'_, 'a>,
    ) -> Result<Vec<Item<'a>>> {
        let mut input = self.eval(target, focus, scope)?;
        let index = self.eval(index, focus, scope)?;
        let Some(i) = functions::integer_arg(self, &index, "indexer")? else {
            return Ok(Vec::new());
        };
        match usize::try_from(i) {
            Ok(i) if i < input.len() => Ok(vec![input.swap_remove(i)]),
            _ => Ok(Vec::new()),
        }
    }

    fn variable(&self, name: &'a str) -> Result<Vec<Item<'a>>> {
        if let Some(value) = self.ctx.variables.get(name) {
            let mut out = Vec::new();
            push_value(value, None, None, &mut out);
            return Ok(out);
        }
        let constant = |s: Cow<'a, str>| Ok(vec![Item::string(s)]);
        match name {
            "context" => Ok(self.context_item.clone()),
            "resource" => Ok(root_collection(self.resource)),
            "rootResource" => Ok(root_collection(self.root_resource)),
            "ucum" => constant("http://unitsofmeasure.org".into()),
            "sct" => constant("http://snomed.info/sct".into()),
            "loinc" => constant("http://loinc.org".into()),
            _ => {
                if let Some(vs) = name.strip_prefix("vs-") {
                    constant(format!("http://hl7.org/fhir/ValueSet/{vs}").into())
                } else if let Some(ext) = name.strip_prefix("ext-") {
                    constant(format!("http://hl7.org/fhir/StructureDefinition/{ext}").into())
                } else {
                    Err(FhirPathError::semantic(format!(
                        "undefined variable %{name}"
                    )))
                }
            }
        }
    }

    fn binary(
        &self,
        op: BinOp,
        lhs: &'a Ast,
        rhs: &'a Ast,
        focus: &[Item<'a>],
        scope: &Scope<'_, 'a>,
    ) -> Result<Vec<Item<'a>>> {
        if matches!(op, BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Implies) {
            return logic::boolean_op(self, op, lhs, rhs, focus, scope);
        }
        let left = self.eval(lhs, focus, scope)?;
        let right = self.eval(rhs, focus, scope)?;
        let model = self.ctx.model;
        match op {
            BinOp::Union => Ok(compare::union(left, right, model)),
            BinOp::Eq | BinOp::NotEq | BinOp::Equiv | BinOp::NotEquiv => {
                Ok(compare::equality_op(op, &left, &right, model))
            }
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                compare::ordering_op(op, &left, &right, model)
            }
            BinOp::In => compare::membership(&left, &right, model),
            BinOp::Contains => compare::membership(&right, &left, model),
            _ => arith::binary(op, &left, &right, model),
        }
    }
}

/// A literal as an item borrowing the expression.
fn literal(lit: &Literal) -> Item<'_> {
    Item::System(match lit {
        Literal::Boolean(b) => SystemValue::Boolean(*b),
        Literal::String(s) => SystemValue::String(Cow::Borrowed(s)),
        Literal::Integer(i) => SystemValue::Integer(*i),
        Literal::Decimal(d) => SystemValue::Decimal(*d),
        Literal::Date(d) => SystemValue::Date(*d),
        Literal::DateTime(d) => SystemValue::DateTime(*d),
        Literal::Time(t) => SystemValue::Time(*t),
        Literal::Quantity(q) => SystemValue::Quantity(q.clone()),
    })
}
