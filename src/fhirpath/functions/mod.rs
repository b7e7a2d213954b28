//! The function library (<https://hl7.org/fhirpath/N1/#functions> and the FHIR
//! additions of <https://hl7.org/fhir/R4/fhirpath.html#functions>).
//!
//! Each group file lists its functions in a [`Spec`] table (name, argument
//! counts, implementation). Names are resolved once at compile time into a
//! [`Func`] handle, so evaluation dispatches through a function pointer.

mod boundary;
mod combining;
mod conversion;
mod convert_util;
mod existence;
mod fhir;
mod filtering;
mod math;
mod regex_cache;
mod strings;
mod strings_extra;
mod subsetting;
mod tree;
pub(crate) mod types;
mod utility;

use super::ast::{Ast, Call};
use super::error::{FhirPathError, Result};
use super::eval::{Env, Scope};
use super::item::{Item, SystemValue};
use super::model::ModelProvider;
use std::borrow::Cow;
use std::fmt;

/// Implementation signature of a library function.
pub(crate) type Impl = for<'i, 'a> fn(&Inv<'i, 'a>) -> Result<Vec<Item<'a>>>;

/// One library function: name, argument count range and implementation.
pub(crate) struct Spec {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub imp: Impl,
}

/// Shorthand for table entries.
pub(crate) const fn spec(name: &'static str, min_args: usize, max_args: usize, imp: Impl) -> Spec {
    Spec {
        name,
        min_args,
        max_args,
        imp,
    }
}

const GROUPS: &[&[Spec]] = &[
    existence::SPECS,
    filtering::SPECS,
    subsetting::SPECS,
    combining::SPECS,
    conversion::SPECS,
    strings::SPECS,
    strings_extra::SPECS,
    math::SPECS,
    tree::SPECS,
    utility::SPECS,
    types::SPECS,
    boundary::SPECS,
    fhir::SPECS,
];

/// A resolved library function.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Func {
    group: u8,
    index: u8,
}

impl Func {
    fn spec(self) -> Option<&'static Spec> {
        GROUPS
            .get(usize::from(self.group))?
            .get(usize::from(self.index))
    }

    /// The function's name.
    pub fn name(self) -> &'static str {
        self.spec().map_or("?", |s| s.name)
    }

    /// Whether the argument is a type specifier (`is`, `as`, `ofType`).
    pub fn takes_type(self) -> bool {
        matches!(self.name(), "is" | "as" | "ofType")
    }
}

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Resolves `name` called with `arg_count` arguments.
pub(crate) fn lookup(name: &str, arg_count: usize) -> Result<Func> {
    for (g, group) in GROUPS.iter().enumerate() {
        if let Some(i) = group.iter().position(|s| s.name == name) {
            let spec = &group[i];
            if arg_count < spec.min_args || arg_count > spec.max_args {
                return Err(FhirPathError::semantic(format!(
                    "{name}() takes {}..{} arguments, got {arg_count}",
                    spec.min_args, spec.max_args
                )));
            }
            let group =
                u8::try_from(g).map_err(|_| FhirPathError::semantic("function table too large"))?;
            let index =
                u8::try_from(i).map_err(|_| FhirPathError::semantic("function table too large"))?;
            return Ok(Func { group, index });
        }
    }
    Err(FhirPathError::semantic(format!(
        "unknown function {name}()"
    )))
}

/// Everything a function implementation can see.
pub(crate) struct Inv<'i, 'a> {
    pub env: &'i Env<'a>,
    pub call: &'a Call,
    /// The input collection (the target, or the focus when there is none).
    pub input: Cow<'i, [Item<'a>]>,
    focus: &'i [Item<'a>],
    scope: &'i Scope<'i, 'a>,
}

impl<'i, 'a> Inv<'i, 'a> {
    /// The model in use.
    pub fn model(&self) -> &'a dyn ModelProvider {
        self.env.ctx.model
    }

    /// The unevaluated argument `i`.
    pub fn arg_ast(&self, i: usize) -> Option<&'a Ast> {
        self.call.args.get(i)
    }

    /// Evaluates argument `i` in the caller's context (`$this` unchanged);
    /// an absent argument is empty.
    pub fn arg(&self, i: usize) -> Result<Vec<Item<'a>>> {
        match self.arg_ast(i) {
            Some(ast) => self.env.eval(ast, self.focus, self.scope),
            None => Ok(Vec::new()),
        }
    }

    /// Evaluates argument `i` with `$this` = `item` and `$index` = `index`.
    pub fn lambda(&self, i: usize, item: &Item<'a>, index: usize) -> Result<Vec<Item<'a>>> {
        self.lambda_total(i, item, index, None)
    }

    /// [`Inv::lambda`] with `$total` set (for `aggregate`).
    pub fn lambda_total(
        &self,
        i: usize,
        item: &Item<'a>,
        index: usize,
        total: Option<&[Item<'a>]>,
    ) -> Result<Vec<Item<'a>>> {
        let Some(ast) = self.arg_ast(i) else {
            return Ok(Vec::new());
        };
        let this = std::slice::from_ref(item);
        let scope = Scope {
            this,
            index: Some(index),
            total,
        };
        self.env.eval(ast, this, &scope)
    }

    /// Evaluates argument `i` with an explicit focus and `$this`.
    pub fn arg_with_focus(&self, i: usize, focus: &[Item<'a>]) -> Result<Vec<Item<'a>>> {
        let Some(ast) = self.arg_ast(i) else {
            return Ok(Vec::new());
        };
        let scope = Scope {
            this: focus,
            index: self.scope.index,
            total: self.scope.total,
        };
        self.env.eval(ast, focus, &scope)
    }

    /// The single input item, `None` when empty, error when several.
    pub fn single_input(&self) -> Result<Option<&Item<'a>>> {
        match &*self.input {
            [] => Ok(None),
            [item] => Ok(Some(item)),
            _ => Err(FhirPathError::execution(format!(
                "{}() needs a single input item",
                self.call.func.name()
            ))),
        }
    }

    /// The single input item as a System value.
    pub fn single_value(&self) -> Result<Option<SystemValue<'a>>> {
        Ok(self.single_input()?.and_then(|i| i.to_system(self.model())))
    }
}

/// Evaluates a function call.
pub(crate) fn call<'a>(
    env: &Env<'a>,
    call: &'a Call,
    focus: &[Item<'a>],
    scope: &Scope<'_, 'a>,
) -> Result<Vec<Item<'a>>> {
    let input = match &call.target {
        Some(target) => Cow::Owned(env.eval(target, focus, scope)?),
        None => Cow::Borrowed(focus),
    };
    let spec = call
        .func
        .spec()
        .ok_or_else(|| FhirPathError::semantic("unresolved function"))?;
    let inv = Inv {
        env,
        call,
        input,
        focus,
        scope,
    };
    (spec.imp)(&inv)
}

/// An argument that must be empty or a single Integer.
pub(crate) fn integer_arg(env: &Env<'_>, items: &[Item<'_>], what: &str) -> Result<Option<i64>> {
    match items {
        [] => Ok(None),
        [item] => match item.to_system(env.ctx.model) {
            Some(SystemValue::Integer(i)) => Ok(Some(i)),
            _ => Err(FhirPathError::execution(format!(
                "{what} must be an Integer"
            ))),
        },
        _ => Err(FhirPathError::execution(format!(
            "{what} must be a single Integer"
        ))),
    }
}

/// An argument that must be empty or a single String.
pub(crate) fn string_arg<'a>(
    env: &Env<'a>,
    items: &[Item<'a>],
    what: &str,
) -> Result<Option<Cow<'a, str>>> {
    match items {
        [] => Ok(None),
        [item] => match item.to_system(env.ctx.model) {
            Some(SystemValue::String(s)) => Ok(Some(s)),
            _ => Err(FhirPathError::execution(format!("{what} must be a String"))),
        },
        _ => Err(FhirPathError::execution(format!(
            "{what} must be a single String"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_checks_names_and_arity() {
        assert_eq!(lookup("where", 1).unwrap().name(), "where");
        assert!(lookup("where", 0).is_err());
        assert!(lookup("nope", 0).is_err());
        assert!(lookup("ofType", 1).unwrap().takes_type());
    }

    #[test]
    fn function_names_are_unique() {
        let mut names: Vec<&str> = GROUPS
            .iter()
            .flat_map(|g| g.iter().map(|s| s.name))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total);
    }
}
