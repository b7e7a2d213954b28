//! Static checks of strict mode (<https://hl7.org/fhirpath/N1/#type-safety-and-strict-evaluation>).
//!
//! Before evaluating in strict mode the tree is walked once with a simple type
//! inference: paths from the root resource, `as`/`ofType` casts, and element
//! types from the model. Naming an element a known type lacks is an error even
//! when the data would make the path empty, and so is applying an ordered
//! function (`first()`, `skip()`, `[n]`, …) to the unordered `children()` or
//! `descendants()`.

use crate::fhirpath::ast::{Ast, Call, TypeSpec};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::model::{ElementType, ModelProvider, is_subtype};
use crate::fhirpath::navigate::Navigator;

const ORDERED: &[&str] = &["first", "last", "tail", "skip", "take", "single"];

/// Checks `ast` evaluated on a resource of type `root_type` (if known).
pub(crate) fn check(ast: &Ast, root_type: Option<&str>, model: &dyn ModelProvider) -> Result<()> {
    let checker = Checker { model };
    checker.infer(ast, root_type.map(str::to_owned)).map(|_| ())
}

struct Checker<'m> {
    model: &'m dyn ModelProvider,
}

fn is_unordered(ast: &Ast) -> bool {
    matches!(ast, Ast::Call(c) if matches!(c.func.name(), "children" | "descendants"))
}

impl Checker<'_> {
    /// The single known type of `ast`'s result, when it can be inferred.
    fn infer(&self, ast: &Ast, focus: Option<String>) -> Result<Option<String>> {
        match ast {
            Ast::Ident(name) if name.text.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Ok(focus.filter(|f| is_subtype(self.model, f, &name.text)))
            }
            Ast::Ident(name) => self.member(focus, &name.text),
            Ast::Member(target, name) => {
                let ty = self.infer(target, focus)?;
                self.member(ty, &name.text)
            }
            Ast::As(inner, spec) => {
                self.infer(inner, focus)?;
                Ok(Some(self.cast(spec)))
            }
            Ast::Index(target, index) => {
                if is_unordered(target) {
                    return Err(unordered("[]"));
                }
                self.infer(index, None)?;
                self.infer(target, focus).map(|_| None)
            }
            Ast::Call(call) => self.call(call, focus),
            Ast::Binary(_, l, r) => {
                self.infer(l, focus.clone())?;
                self.infer(r, focus)?;
                Ok(None)
            }
            Ast::Negate(e) | Ast::Plus(e) | Ast::Is(e, _) => self.infer(e, focus).map(|_| None),
            _ => Ok(None),
        }
    }

    fn call(&self, call: &Call, focus: Option<String>) -> Result<Option<String>> {
        let name = call.func.name();
        if ORDERED.contains(&name) && call.target.as_ref().is_some_and(is_unordered) {
            return Err(unordered(name));
        }
        let ty = match &call.target {
            Some(t) => self.infer(t, focus)?,
            None => focus,
        };
        for arg in &call.args {
            self.infer(arg, None)?;
        }
        Ok(match (name, &call.type_arg) {
            ("as" | "ofType", Some(spec)) => Some(self.cast(spec)),
            ("first" | "last" | "single" | "where" | "tail" | "skip" | "take", _) => ty,
            _ => None,
        })
    }

    fn cast(&self, spec: &TypeSpec) -> String {
        spec.name.to_string()
    }

    fn member(&self, parent: Option<String>, name: &str) -> Result<Option<String>> {
        let Some(parent) = parent else {
            return Ok(None);
        };
        let nav = Navigator {
            model: self.model,
            strict: true,
        };
        match nav.lookup(&parent, name) {
            Some(ElementType::Type(t)) => Ok(Some(t.to_owned())),
            Some(ElementType::Choice) => Ok(None),
            None if self.model.knows_elements(&parent) => Err(FhirPathError::semantic(format!(
                "'{name}' is not an element of {parent}"
            ))),
            None => Ok(None),
        }
    }
}

fn unordered(function: &str) -> FhirPathError {
    FhirPathError::semantic(format!("{function} applied to an unordered collection"))
}
