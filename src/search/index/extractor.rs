//! The [`Extractor`]: compiled plans for every search parameter of every resource type.

use foldhash::{HashMap, HashMapExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::IndexRow;
use super::convert::convert;
use super::plan::{Compiler, ParamInfo, ParamKind, ParamPlan, TypePlan, parse_custom};
use crate::fhirpath::{Context, R4Model, evaluate, r4_model};
use crate::model::{Model, r4};

/// Compiled extraction plans for the search parameters of every R4 resource type: each
/// FHIRPath expression is compiled once (a union is split so that a type evaluates only its
/// own branches, and branches are shared across the base types that list them). Build once
/// at start (see [`Extractor::r4`]); `Send + Sync`, cheap to share.
#[derive(Debug)]
pub struct Extractor {
    model: R4Model,
    types: HashMap<String, TypePlan>,
    /// Parameters whose rows are another's (see [`Extractor::stored_code`]): type → code → that
    /// code.
    stored_as: HashMap<String, HashMap<String, String>>,
    compile_errors: Vec<String>,
    skipped: AtomicU64,
}

static R4_EXTRACTOR: OnceLock<Extractor> = OnceLock::new();

impl Clone for Extractor {
    fn clone(&self) -> Self {
        Extractor {
            model: self.model,
            types: self.types.clone(),
            stored_as: self.stored_as.clone(),
            compile_errors: self.compile_errors.clone(),
            skipped: AtomicU64::new(0),
        }
    }
}

impl Extractor {
    /// The extractor for all R4 core search parameters, built on first use. A core
    /// expression that does not compile is left out and listed by
    /// [`compile_errors`](Self::compile_errors).
    pub fn r4() -> &'static Extractor {
        R4_EXTRACTOR.get_or_init(|| Extractor::build(r4()))
    }

    fn build(model: &'static Model) -> Extractor {
        let mut compiler = Compiler::default();
        let mut infos: HashMap<&str, Arc<ParamInfo>> = HashMap::new();
        let mut types = HashMap::new();
        let mut compile_errors = Vec::new();
        for resource_type in model.resource_types() {
            let mut plan = TypePlan::default();
            for def in model.search_params(resource_type) {
                let info = infos
                    .entry(def.url.as_str())
                    .or_insert_with(|| Arc::new(ParamInfo::from_def(def)));
                match compiler.plan(model, info, resource_type) {
                    Ok(p) => plan.insert(p),
                    Err(e) => compile_errors.push(format!("{resource_type}.{}: {e}", def.code)),
                }
            }
            types.insert(resource_type.to_owned(), plan);
        }
        Extractor {
            model: r4_model(),
            stored_as: shared_rows(&types),
            types,
            compile_errors,
            skipped: AtomicU64::new(0),
        }
    }

    /// A copy that also knows the SearchParameter resources `params` (JSON with `code`,
    /// `base[]`, `type`, `expression`, optional `target[]` and `component[]`); a custom
    /// parameter replaces a known one with the same code on the same type. A base of
    /// `Resource` or `DomainResource` applies to every type deriving from it.
    ///
    /// # Errors
    /// A message naming the parameter when it is malformed or its expression does not compile.
    pub fn with_custom(&self, params: &[Value]) -> Result<Extractor, String> {
        let model = r4();
        let mut out = self.clone();
        let mut compiler = Compiler::default();
        for param in params {
            let (info, bases) = parse_custom(param)?;
            let info = Arc::new(info);
            for (resource_type, plan) in &mut out.types {
                if bases.iter().any(|b| model.is_a(resource_type, b)) {
                    plan.insert(compiler.plan(model, &info, resource_type)?);
                }
            }
        }
        out.stored_as = shared_rows(&out.types);
        Ok(out)
    }

    /// Every index row of `resource` (its `resourceType` picks the parameters), without
    /// duplicates, grouped by parameter in definition order. Never fails: an unknown or
    /// missing `resourceType` gives no rows, and an expression that errors on this resource
    /// contributes nothing (counted by [`skipped_evaluations`](Self::skipped_evaluations)).
    pub fn extract(&self, resource: &Value) -> Vec<IndexRow> {
        let resource_type = resource.get("resourceType").and_then(Value::as_str);
        let Some(plan) = resource_type.and_then(|t| self.types.get(t)) else {
            return Vec::new();
        };
        let ctx = Context::new(&self.model);
        let shared = resource_type.and_then(|t| self.stored_as.get(t));
        let mut rows = Vec::new();
        for param in &plan.params {
            if shared.is_some_and(|s| s.contains_key(&param.info.code)) {
                continue;
            }
            let start = rows.len();
            self.extract_param(param, resource, &ctx, &mut rows);
            dedup_from(&mut rows, start);
        }
        rows
    }

    fn extract_param(
        &self,
        param: &ParamPlan,
        resource: &Value,
        ctx: &Context<'_>,
        rows: &mut Vec<IndexRow>,
    ) {
        if !param.components.is_empty() {
            self.extract_composite(param, resource, ctx, rows);
            return;
        }
        for expr in &param.exprs {
            match evaluate(expr, resource, ctx) {
                Ok(items) => items
                    .iter()
                    .for_each(|item| convert(&param.info, item, rows)),
                Err(_) => {
                    self.skipped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Component rows of a composite parameter, one group per item of its expression; an item
    /// missing one of the components contributes nothing.
    fn extract_composite(
        &self,
        param: &ParamPlan,
        resource: &Value,
        ctx: &Context<'_>,
        rows: &mut Vec<IndexRow>,
    ) {
        let mut group = 0;
        for expr in &param.exprs {
            let Ok(items) = evaluate(expr, resource, ctx) else {
                self.skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            for item in items.iter() {
                let Some(node) = item.node() else { continue };
                group += 1;
                let start = rows.len();
                let mut complete = true;
                for (info, cexpr) in &param.components {
                    let before = rows.len();
                    if let Ok(values) = evaluate(cexpr, node.json(), ctx) {
                        values.iter().for_each(|v| convert(info, v, rows));
                    }
                    complete &= rows.len() > before;
                }
                if complete {
                    rows[start..].iter_mut().for_each(|r| r.group = group);
                } else {
                    rows.truncate(start);
                }
            }
        }
    }

    /// The definition of parameter `code` for `resource_type` (including the `Resource` and
    /// `DomainResource` ones, composites and specials); `None` when unknown.
    pub fn param(&self, resource_type: &str, code: &str) -> Option<&ParamInfo> {
        Some(&self.types.get(resource_type)?.get(code)?.info)
    }

    /// The parameter whose index rows parameter `code` is searched and sorted on over `types`:
    /// `code` itself, or, where on each of those types another string parameter has the very same
    /// expression, the first of those by code (R4's `phonetic` is `name` on Patient, Practitioner,
    /// RelatedPerson and Person: no phonetic algorithm here). Such a parameter gets no rows of its
    /// own on that type, so a create writes none of its duplicates.
    ///
    /// # Errors
    /// When the types searched store `code` differently (`phonetic` over Patient and
    /// Organization, whose `phonetic` is not its `name`), a message saying so.
    pub fn stored_code<'a>(&'a self, types: &[String], code: &'a str) -> Result<&'a str, String> {
        let mut found: Option<&str> = None;
        for t in types {
            let indexed = self
                .types
                .get(t)
                .and_then(|p| p.get(code))
                .is_some_and(|p| !p.exprs.is_empty());
            if !indexed {
                continue;
            }
            let stored = self
                .stored_as
                .get(t)
                .and_then(|s| s.get(code))
                .map_or(code, String::as_str);
            match found {
                Some(f) if f != stored => {
                    return Err(format!(
                        "'{code}' is searched as '{f}' on some of the types searched and as \
                         '{stored}' on others: search them one type at a time"
                    ));
                }
                _ => found = Some(stored),
            }
        }
        Ok(found.unwrap_or(code))
    }

    /// How many expression evaluations failed (and were skipped) since this extractor was built.
    pub fn skipped_evaluations(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The core parameters left out because their expression did not compile
    /// (`Type.code: error`); empty for the R4 definitions.
    pub fn compile_errors(&self) -> &[String] {
        &self.compile_errors
    }
}

/// The string parameters that [`Extractor::stored_code`] sends to another on a type: those for
/// which the type has an earlier (by code) string parameter compiled from the same expression
/// branches (the same compiled branches: a custom parameter never shares them, so one that
/// redefines either side ends the sharing).
fn shared_rows(types: &HashMap<String, TypePlan>) -> HashMap<String, HashMap<String, String>> {
    let same = |a: &ParamPlan, b: &ParamPlan| {
        a.info.kind == b.info.kind
            && a.components.is_empty()
            && b.components.is_empty()
            && a.exprs.len() == b.exprs.len()
            && a.exprs.iter().zip(&b.exprs).all(|(x, y)| Arc::ptr_eq(x, y))
    };
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    for (resource_type, plan) in types {
        let strings = plan
            .params
            .iter()
            .filter(|p| p.info.kind == ParamKind::String && !p.exprs.is_empty());
        for p in strings {
            let code = p.info.code.as_str();
            let first = plan
                .params
                .iter()
                .filter(|q| q.info.code.as_str() < code && same(p, q))
                .map(|q| q.info.code.as_str())
                .min();
            if let Some(first) = first {
                out.entry(resource_type.clone())
                    .or_default()
                    .insert(code.to_owned(), first.to_owned());
            }
        }
    }
    out
}

/// Removes rows from `start` on that repeat an earlier row from `start` on.
fn dedup_from(rows: &mut Vec<IndexRow>, start: usize) {
    let mut i = start + 1;
    while i < rows.len() {
        if rows[start..i].contains(&rows[i]) {
            rows.remove(i);
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::ParamKind;
    use crate::search::index::tests_util::{rows_of, token};
    use serde_json::json;

    #[test]
    fn every_core_expression_compiles() {
        assert_eq!(Extractor::r4().compile_errors(), &[] as &[String]);
    }

    #[test]
    fn extractor_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Extractor>();
    }

    #[test]
    fn unknown_types_and_server_columns_give_no_rows() {
        assert!(
            Extractor::r4()
                .extract(&json!({"resourceType": "Nope", "id": "1"}))
                .is_empty()
        );
        assert!(Extractor::r4().extract(&json!({"id": "1"})).is_empty());
        let p = json!({"resourceType": "Patient", "id": "1", "meta": {"lastUpdated": "2026-01-01T00:00:00Z"}});
        let rows = Extractor::r4().extract(&p);
        assert!(rows.iter().all(|r| !r.param.starts_with("_")));
        // The core `deceased` expression is a boolean: a living patient is indexed as `false`.
        assert_eq!(rows_of(&p, "deceased"), [token("", "false", "")]);
    }

    #[test]
    fn param_describes_core_parameters() {
        let x = Extractor::r4();
        let subject = x.param("Observation", "subject").unwrap();
        assert_eq!(subject.kind, ParamKind::Reference);
        assert!(subject.targets.iter().any(|t| t == "Patient"));
        assert_eq!(x.param("Patient", "_id").unwrap().kind, ParamKind::Token);
        let composite = x.param("Observation", "code-value-quantity").unwrap();
        assert_eq!(
            (composite.kind, composite.components.len()),
            (ParamKind::Composite, 2)
        );
        assert!(x.param("Patient", "nope").is_none() && x.param("Nope", "_id").is_none());
    }

    #[test]
    fn union_branches_of_other_types_are_not_planned() {
        let plan = Extractor::r4().types.get("Patient").unwrap();
        assert_eq!(plan.get("birthdate").unwrap().exprs.len(), 1);
        assert!(plan.get("code-value-quantity").is_none());
    }

    #[test]
    fn duplicate_values_are_kept_once() {
        let p = json!({"resourceType": "Patient", "name": [{"family": "Dupont"}, {"family": "Dupont"}]});
        assert_eq!(rows_of(&p, "family").len(), 1);
    }

    #[test]
    fn custom_parameters_are_added_and_replace_core_ones() {
        let ins = json!({"resourceType": "SearchParameter", "code": "ins", "base": ["Patient"], "type": "token",
            "expression": "Patient.identifier.where(system = 'urn:oid:1.2.250.1.213.1.4.8')"});
        let tag = json!({"code": "gender", "base": ["DomainResource"], "type": "string", "expression": "Resource.id"});
        let x = Extractor::r4().with_custom(&[ins, tag]).unwrap();
        let p = json!({"resourceType": "Patient", "id": "p1", "gender": "male", "identifier": [
            {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "1"}, {"system": "urn:x", "value": "2"}]});
        let rows = x.extract(&p);
        let ins: Vec<_> = rows
            .iter()
            .filter(|r| r.param == "ins")
            .map(|r| &r.value)
            .collect();
        assert_eq!(ins, [&token("urn:oid:1.2.250.1.213.1.4.8", "1", "")]);
        assert_eq!(
            x.param("Observation", "gender").unwrap().kind,
            ParamKind::String
        );
        assert!(x.param("Bundle", "gender").is_none());
        assert_eq!(rows_of(&p, "gender"), [token("", "male", "")]);
    }

    #[test]
    fn malformed_custom_parameters_are_errors() {
        let bad = [
            json!({"code": "x", "base": ["Patient"], "type": "token", "expression": "Patient.(("}),
            json!({"code": "x", "base": ["Patient"], "type": "nope", "expression": "Patient.id"}),
            json!({"code": "x", "base": [], "type": "token", "expression": "Patient.id"}),
            json!({"code": "x", "base": ["Patient"], "type": "token"}),
            json!({"base": ["Patient"], "type": "token", "expression": "Patient.id"}),
        ];
        for b in bad {
            assert!(
                Extractor::r4()
                    .with_custom(std::slice::from_ref(&b))
                    .is_err(),
                "{b}"
            );
        }
    }

    #[test]
    fn evaluation_errors_are_skipped_and_counted() {
        let single = json!({"code": "one", "base": ["Patient"], "type": "string", "expression": "Patient.name.family.single()"});
        let x = Extractor::r4().with_custom(&[single]).unwrap();
        let p = json!({"resourceType": "Patient", "gender": "male", "name": [{"family": "A"}, {"family": "B"}]});
        let rows = x.extract(&p);
        assert!(rows.iter().all(|r| r.param != "one") && rows.iter().any(|r| r.param == "gender"));
        assert_eq!(x.skipped_evaluations(), 1);
    }
}
