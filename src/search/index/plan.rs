//! Parameter definitions and their compiled extraction plans.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::split::{leading_name, union_branches};
use crate::fhirpath::{Expr, compile};
use crate::model::{Model, SearchParamDef, SearchParamType};

/// `SearchParameter.type` (<https://hl7.org/fhir/R4/valueset-search-param-type.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    String,
    Token,
    Reference,
    Date,
    Number,
    Quantity,
    Uri,
    Composite,
    Special,
}

impl ParamKind {
    /// The kind for a `SearchParameter.type` code (`"token"`); `None` for an unknown code.
    pub fn from_code(code: &str) -> Option<ParamKind> {
        Some(match code {
            "string" => ParamKind::String,
            "token" => ParamKind::Token,
            "reference" => ParamKind::Reference,
            "date" => ParamKind::Date,
            "number" => ParamKind::Number,
            "quantity" => ParamKind::Quantity,
            "uri" => ParamKind::Uri,
            "composite" => ParamKind::Composite,
            "special" => ParamKind::Special,
            _ => return None,
        })
    }
}

impl From<SearchParamType> for ParamKind {
    fn from(t: SearchParamType) -> ParamKind {
        match t {
            SearchParamType::String => ParamKind::String,
            SearchParamType::Token => ParamKind::Token,
            SearchParamType::Reference => ParamKind::Reference,
            SearchParamType::Date => ParamKind::Date,
            SearchParamType::Number => ParamKind::Number,
            SearchParamType::Quantity => ParamKind::Quantity,
            SearchParamType::Uri => ParamKind::Uri,
            SearchParamType::Composite => ParamKind::Composite,
            SearchParamType::Special => ParamKind::Special,
        }
    }
}

/// A search parameter as the query side needs it. `expression` is the full FHIRPath as
/// defined (`""` when none, e.g. `_text`); `components` are `(definition, expression)` of a
/// composite parameter, empty otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    pub code: String,
    pub kind: ParamKind,
    pub targets: Vec<String>,
    pub expression: String,
    pub components: Vec<(String, String)>,
}

impl ParamInfo {
    /// The info of a core definition.
    pub(super) fn from_def(def: &SearchParamDef) -> ParamInfo {
        ParamInfo {
            code: def.code.clone(),
            kind: def.kind.into(),
            targets: def.target.clone(),
            expression: def.expression.clone().unwrap_or_default(),
            components: def
                .component
                .iter()
                .map(|c| (c.definition.clone(), c.expression.clone()))
                .collect(),
        }
    }

    /// Whether extraction produces rows for it: not composite or special, not `_id` or
    /// `_lastUpdated` (kept by the server in its own columns), and with an expression.
    fn is_indexed(&self) -> bool {
        !matches!(self.kind, ParamKind::Special)
            && !matches!(self.code.as_str(), "_id" | "_lastUpdated")
            && !self.expression.is_empty()
    }
}

/// A parameter of one resource type: its info and the compiled branches of its expression
/// that can apply to that type (empty when the parameter is not indexed).
#[derive(Clone, Debug)]
pub(super) struct ParamPlan {
    pub info: Arc<ParamInfo>,
    pub exprs: Vec<Arc<Expr>>,
    /// Composite parameters: each component as a parameter `<code>:<i>` of its own kind, with its
    /// expression relative to one item of the composite's expression.
    pub components: Vec<Component>,
}

/// One component of a composite: its own parameter info and its relative expression.
pub(super) type Component = (Arc<ParamInfo>, Arc<Expr>);

/// The kinds of the components of composite `info` on `resource_type`, found by their definition
/// URLs among that type's parameters; `None` when one is unknown.
///
/// A component's kind is taken from the listed definition whose own expression ends with the
/// component's expression when there is exactly one (R4's `DocumentReference-relationship`
/// lists its two definitions in the wrong order), else from its own definition.
pub fn component_kinds(
    model: &Model,
    info: &ParamInfo,
    resource_type: &str,
) -> Option<Vec<ParamKind>> {
    let params = model.search_params(resource_type);
    let defs: Vec<&SearchParamDef> = info
        .components
        .iter()
        .map(|(definition, _)| params.iter().find(|p| &p.url == definition))
        .collect::<Option<_>>()?;
    let kinds = info.components.iter().zip(&defs).map(|((_, expr), own)| {
        let suffix = format!(".{expr}");
        let matching: Vec<&&SearchParamDef> = defs
            .iter()
            .filter(|d| {
                d.expression
                    .as_deref()
                    .is_some_and(|e| e.ends_with(&suffix))
            })
            .collect();
        match matching.as_slice() {
            [one] => one.kind.into(),
            _ => own.kind.into(),
        }
    });
    Some(kinds.collect())
}

/// The parameters of one resource type, by code.
#[derive(Clone, Debug, Default)]
pub(super) struct TypePlan {
    pub params: Vec<ParamPlan>,
    by_code: HashMap<String, usize>,
}

impl TypePlan {
    /// Adds `plan`, replacing a parameter with the same code.
    pub fn insert(&mut self, plan: ParamPlan) {
        match self.by_code.get(&plan.info.code) {
            Some(&i) => self.params[i] = plan,
            None => {
                self.by_code
                    .insert(plan.info.code.clone(), self.params.len());
                self.params.push(plan);
            }
        }
    }

    /// The parameter `code`.
    pub fn get(&self, code: &str) -> Option<&ParamPlan> {
        self.by_code.get(code).and_then(|&i| self.params.get(i))
    }
}

/// Compiles expression branches once, sharing them across the types that use them.
#[derive(Default)]
pub(super) struct Compiler {
    cache: HashMap<String, Arc<Expr>>,
}

impl Compiler {
    /// The plan of `info` for `resource_type`: the branches of its expression that start with
    /// that type, with `Resource`/`DomainResource`, or with no type name at all.
    ///
    /// # Errors
    /// The FHIRPath error text when a kept branch does not compile.
    pub fn plan(
        &mut self,
        model: &Model,
        info: &Arc<ParamInfo>,
        resource_type: &str,
    ) -> Result<ParamPlan, String> {
        let mut exprs = Vec::new();
        if info.is_indexed() {
            for branch in union_branches(&info.expression) {
                let name = leading_name(branch);
                let other_type = name != resource_type && model.is_resource_type(name);
                if !other_type {
                    exprs.push(self.compile(branch)?);
                }
            }
        }
        let components = if info.kind == ParamKind::Composite && !exprs.is_empty() {
            self.components(model, info, resource_type)?
        } else {
            Vec::new()
        };
        let exprs = if info.kind == ParamKind::Composite && components.is_empty() {
            Vec::new()
        } else {
            exprs
        };
        Ok(ParamPlan {
            info: Arc::clone(info),
            exprs,
            components,
        })
    }

    fn components(
        &mut self,
        model: &Model,
        info: &ParamInfo,
        resource_type: &str,
    ) -> Result<Vec<Component>, String> {
        let Some(kinds) = component_kinds(model, info, resource_type) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, ((_, expression), kind)) in info.components.iter().zip(kinds).enumerate() {
            let part = ParamInfo {
                code: format!("{}:{i}", info.code),
                kind,
                targets: Vec::new(),
                expression: expression.clone(),
                components: Vec::new(),
            };
            out.push((Arc::new(part), self.compile(expression)?));
        }
        Ok(out)
    }

    fn compile(&mut self, branch: &str) -> Result<Arc<Expr>, String> {
        if let Some(expr) = self.cache.get(branch) {
            return Ok(Arc::clone(expr));
        }
        let expr = Arc::new(compile(branch).map_err(|e| format!("{branch}: {e}"))?);
        self.cache.insert(branch.to_owned(), Arc::clone(&expr));
        Ok(expr)
    }
}

/// A SearchParameter resource given at run time: its info and base types.
///
/// # Errors
/// A message when `code`, `base` or `type` is missing or malformed, or when a non-composite,
/// non-special parameter has no `expression`.
pub(super) fn parse_custom(param: &Value) -> Result<(ParamInfo, Vec<String>), String> {
    let text = |k: &str| param.get(k).and_then(Value::as_str);
    let strings = |k: &str| -> Vec<String> {
        let list = param.get(k).and_then(Value::as_array).map(Vec::as_slice);
        let list = list.unwrap_or(&[]).iter().filter_map(Value::as_str);
        list.map(str::to_owned).collect()
    };
    let code = text("code").ok_or("SearchParameter without code")?;
    let kind = text("type")
        .and_then(ParamKind::from_code)
        .ok_or_else(|| format!("SearchParameter {code}: missing or unknown type"))?;
    let base = strings("base");
    if base.is_empty() {
        return Err(format!("SearchParameter {code}: no base"));
    }
    let expression = text("expression").unwrap_or_default().to_owned();
    if expression.is_empty() && !matches!(kind, ParamKind::Composite | ParamKind::Special) {
        return Err(format!("SearchParameter {code}: no expression"));
    }
    let components = param.get("component").and_then(Value::as_array);
    let components = components.map(Vec::as_slice).unwrap_or(&[]).iter();
    let components = components.map(|c| {
        let field = |k: &str| {
            c.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        (field("definition"), field("expression"))
    });
    let info = ParamInfo {
        code: code.to_owned(),
        kind,
        targets: strings("target"),
        expression,
        components: components.collect(),
    };
    Ok((info, base))
}
