//! `_include` and `_revinclude` lookups over the reference index: https://hl7.org/fhir/R4/search.html#include

use super::compile::Compiler;
use super::query::Include;
use crate::consent::AccessScope;
use crate::store::SqlQuery;

/// `(type, id)` of a resource.
pub type Key = (String, String);

/// The query for targets referenced by `from` through `spec` and visible under `access`, or `None` when
/// no resource of `from` is of the spec's source type.
pub fn forward(spec: &Include, from: &[Key], access: &AccessScope) -> Option<SqlQuery> {
    let ids: Vec<&Key> = from
        .iter()
        .filter(|(t, _)| spec.source == "*" || *t == spec.source)
        .collect();
    if ids.is_empty() {
        return None;
    }
    let mut q = SqlQuery::default();
    let mut ors = Vec::new();
    for (t, id) in ids {
        let (a, b) = (q.text(t.clone()), q.text(id.clone()));
        ors.push(format!("(x.res_type = {a} AND x.res_id = {b})"));
    }
    let mut sql = format!(
        "SELECT DISTINCT x.target_type, x.target_id FROM idx_reference x WHERE x.target_type <> '' AND ({})",
        ors.join(" OR ")
    );
    if spec.param != "*" {
        sql.push_str(&format!(" AND x.param = {}", q.text(spec.param.clone())));
    }
    if let Some(t) = &spec.target {
        sql.push_str(&format!(" AND x.target_type = {}", q.text(t.clone())));
    }
    let mut c = Compiler::with_access("", access.clone());
    c.q = q;
    let visible = super::access::predicate(
        &mut c,
        access,
        spec.target.as_deref(),
        "x.target_type",
        "x.target_id",
    );
    sql.push_str(&format!(" AND {visible}"));
    c.q.sql = sql;
    Some(c.q)
}

/// The query for resources of the spec's source type, visible under `access`, that reference one of `to`
/// through its parameter.
pub fn reverse(spec: &Include, to: &[Key], access: &AccessScope) -> Option<SqlQuery> {
    let targets: Vec<&Key> = to
        .iter()
        .filter(|(t, _)| spec.target.as_ref().is_none_or(|want| want == t))
        .collect();
    if targets.is_empty() || spec.source == "*" {
        return None;
    }
    let mut q = SqlQuery::default();
    let source = q.text(spec.source.clone());
    let mut ors = Vec::new();
    for (t, id) in targets {
        let (a, b) = (q.text(t.clone()), q.text(id.clone()));
        ors.push(format!("(x.target_type = {a} AND x.target_id = {b})"));
    }
    let mut sql = format!(
        "SELECT DISTINCT x.res_type, x.res_id FROM idx_reference x WHERE x.res_type = {source} AND ({})",
        ors.join(" OR ")
    );
    if spec.param != "*" {
        sql.push_str(&format!(" AND x.param = {}", q.text(spec.param.clone())));
    }
    let mut c = Compiler::with_access("", access.clone());
    c.q = q;
    let visible =
        super::access::predicate(&mut c, access, Some(&spec.source), "x.res_type", "x.res_id");
    sql.push_str(&format!(" AND {visible}"));
    c.q.sql = sql;
    Some(c.q)
}
