//! Compiling clauses to SQL conditions over a `resources` row alias. Each clause becomes
//! `alias.res_id IN (SELECT … FROM idx_… WHERE …)`, so filtering happens inside the query (paging and totals
//! never count what does not match), and chains and `_has` nest the same compilation on other types.

use super::index::ParamKind;
use super::predicate;
use super::query::{Clause, Modifier};
use crate::error::Result;
use crate::store::SqlQuery;

/// Builds SQL with fresh aliases and collected bind values.
#[derive(Debug, Default)]
pub struct Compiler {
    /// The statement under construction (its `sql` is set by the caller).
    pub q: SqlQuery,
    next_alias: usize,
    /// The server's base URL, to read absolute references to itself.
    pub base_url: String,
    /// Compile index conditions as correlated `EXISTS` lookups of the row's own index entries instead
    /// of `IN` lists: the one most selective clause drives the query as an `IN`, the others are checked
    /// per candidate row through the `(res_type, res_id, param, …)` indexes.
    pub correlated: bool,
    /// Who asks: every resource a clause looks at (chains, `_has`) must be visible to them.
    pub access: crate::consent::AccessScope,
}

impl Compiler {
    /// A compiler for a server at `base_url`.
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            ..Self::default()
        }
    }

    /// A compiler for a server at `base_url`, for a requester who sees `access`.
    pub fn with_access(base_url: &str, access: crate::consent::AccessScope) -> Self {
        Self {
            access,
            ..Self::new(base_url)
        }
    }

    /// A fresh alias with `prefix`.
    pub fn alias(&mut self, prefix: &str) -> String {
        self.next_alias += 1;
        format!("{prefix}{}", self.next_alias)
    }

    /// The condition for `clause` on the `resources` row `r` whose type is the SQL expression `ty`.
    pub fn clause(&mut self, clause: &Clause, r: &str, ty: &str) -> Result<String> {
        match clause {
            Clause::Id(ids) => {
                let marks: Vec<String> = ids.iter().map(|i| self.q.text(i.clone())).collect();
                Ok(format!("{r}.res_id IN ({})", marks.join(", ")))
            }
            Clause::LastUpdated(values) => {
                let ors = values
                    .iter()
                    .map(|v| {
                        predicate::date_on(
                            self,
                            &format!("{r}.last_updated"),
                            &format!("{r}.last_updated"),
                            v,
                        )
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(format!("({})", ors.join(" OR ")))
            }
            Clause::Param {
                code,
                kind,
                modifier,
                values,
            } => self.param(r, ty, code, *kind, modifier, values),
            Clause::Chain {
                code,
                targets,
                inner,
            } => self.chain(r, ty, code, targets, inner),
            Clause::Composite {
                code,
                kinds,
                values,
            } => {
                let ors = values
                    .iter()
                    .map(|v| self.composite(r, ty, code, kinds, v))
                    .collect::<Result<Vec<_>>>()?;
                Ok(format!("({})", ors.join(" OR ")))
            }
            Clause::Has {
                source,
                reference,
                inner,
            } => self.has(r, ty, source, reference, inner),
        }
    }

    fn param(
        &mut self,
        r: &str,
        ty: &str,
        code: &str,
        kind: ParamKind,
        m: &Modifier,
        values: &[String],
    ) -> Result<String> {
        if *m == Modifier::Identifier {
            let key = format!("{code}:identifier");
            return self.rows(r, ty, "idx_token", &key, |c, t| {
                predicate::tokens(c, t, values, &Modifier::None)
            });
        }
        if *m == Modifier::OfType {
            let key = format!("{code}:of-type");
            let split = values
                .iter()
                .map(|v| match v.splitn(3, '|').collect::<Vec<_>>().as_slice() {
                    [s, c, val] => Ok(format!("{s}|{c}|{val}")),
                    _ => Err(crate::error::Error::invalid(format!(
                        "{code}:of-type wants system|code|value, not '{v}'"
                    ))),
                })
                .collect::<Result<Vec<_>>>()?;
            return self.rows(r, ty, "idx_token", &key, |c, t| {
                predicate::tokens(c, t, &split, &Modifier::None)
            });
        }
        let table = table(kind);
        if *m == Modifier::Missing {
            let t = self.alias("t");
            let p = self.q.text(code);
            let sub = format!(
                "SELECT {t}.res_id FROM {table} {t} WHERE {t}.res_type = {ty} AND {t}.param = {p}"
            );
            let missing = values.first().is_some_and(|v| v == "true");
            return Ok(format!(
                "{r}.res_id {} ({sub})",
                if missing { "NOT IN" } else { "IN" }
            ));
        }
        if *m == Modifier::Not {
            let inner = self.rows(r, ty, table, code, |c, t| {
                predicate::tokens(c, t, values, &Modifier::None)
            })?;
            return Ok(format!("NOT ({inner})"));
        }
        self.rows(r, ty, table, code, |c, t| values_of(c, t, kind, values, m))
    }

    /// One composite value `c0$c1…`: rows of the same group matching every component.
    fn composite(
        &mut self,
        r: &str,
        ty: &str,
        code: &str,
        kinds: &[ParamKind],
        value: &str,
    ) -> Result<String> {
        let parts: Vec<&str> = value.split('$').collect();
        if parts.len() != kinds.len() {
            return Err(crate::error::Error::invalid(format!(
                "composite '{code}' takes {} components separated by $, not '{value}'",
                kinds.len()
            )));
        }
        let aliases: Vec<String> = kinds.iter().map(|_| self.alias("t")).collect();
        let first = &aliases[0];
        let mut from = format!("{} {first}", table(kinds[0]));
        let mut conds = vec![
            format!("{first}.res_type = {ty}"),
            format!("{first}.grp > 0"),
        ];
        for (i, (kind, part)) in kinds.iter().zip(&parts).enumerate() {
            let t = &aliases[i];
            let p = self.q.text(format!("{code}:{i}"));
            if i > 0 {
                from.push_str(&format!(
                    " JOIN {} {t} ON {t}.res_type = {first}.res_type AND {t}.res_id = {first}.res_id AND {t}.grp = {first}.grp",
                    table(*kind)
                ));
            }
            let pred = values_of(self, t, *kind, &[(*part).to_owned()], &Modifier::None)?;
            conds.push(format!("{t}.param = {p} AND ({pred})"));
        }
        Ok(format!(
            "{r}.res_id IN (SELECT {first}.res_id FROM {from} WHERE {})",
            conds.join(" AND ")
        ))
    }

    /// `r.res_id IN (SELECT t.res_id FROM table t WHERE type, param and the predicate built by `pred`)`.
    fn rows(
        &mut self,
        r: &str,
        ty: &str,
        table: &str,
        code: &str,
        pred: impl FnOnce(&mut Self, &str) -> Result<String>,
    ) -> Result<String> {
        let t = self.alias("t");
        let p = self.q.text(code);
        let cond = pred(self, &t)?;
        if self.correlated {
            return Ok(format!(
                "EXISTS (SELECT 1 FROM {table} {t} WHERE {t}.res_type = {r}.res_type AND {t}.res_id = {r}.res_id \
                 AND {t}.param = {p} AND ({cond}))"
            ));
        }
        Ok(format!(
            "{r}.res_id IN (SELECT {t}.res_id FROM {table} {t} WHERE {t}.res_type = {ty} AND {t}.param = {p} AND ({cond}))"
        ))
    }

    /// Live resources of `target` matching `inner`: `SELECT r.res_id FROM resources r WHERE …`.
    pub fn subquery(&mut self, target: &str, inner: &Clause) -> Result<String> {
        let r2 = self.alias("r");
        let tt = self.q.text(target);
        let outer = std::mem::replace(&mut self.correlated, false);
        let cond = self.clause(inner, &r2, &tt);
        self.correlated = outer;
        let cond = cond?;
        let scope = self.access.clone();
        let visible = super::access::predicate(
            self,
            &scope,
            Some(target),
            &format!("{r2}.res_type"),
            &format!("{r2}.res_id"),
        );
        Ok(format!(
            "SELECT {r2}.res_id FROM resources {r2} WHERE {r2}.res_type = {tt} AND {r2}.deleted = 0 AND {cond} \
             AND {visible}"
        ))
    }

    fn chain(
        &mut self,
        r: &str,
        ty: &str,
        code: &str,
        targets: &[String],
        inner: &Clause,
    ) -> Result<String> {
        self.rows(r, ty, "idx_reference", code, |c, t| {
            let mut ors = Vec::new();
            for target in targets {
                let sub = c.subquery(target, inner)?;
                let tt = c.q.text(target.clone());
                ors.push(format!(
                    "({t}.target_type = {tt} AND {t}.target_id IN ({sub}))"
                ));
            }
            Ok(ors.join(" OR "))
        })
    }

    fn has(
        &mut self,
        r: &str,
        ty: &str,
        source: &str,
        reference: &str,
        inner: &Clause,
    ) -> Result<String> {
        let t = self.alias("t");
        let s = self.q.text(source);
        let p = self.q.text(reference);
        let sub = self.subquery(source, inner)?;
        Ok(format!(
            "{r}.res_id IN (SELECT {t}.target_id FROM idx_reference {t} WHERE {t}.res_type = {s} \
             AND {t}.param = {p} AND {t}.target_type = {ty} AND {t}.res_id IN ({sub}))"
        ))
    }
}

/// The predicate of `values` (OR-ed) of a parameter of `kind` on the index alias `t`.
fn values_of(
    c: &mut Compiler,
    t: &str,
    kind: ParamKind,
    values: &[String],
    m: &Modifier,
) -> Result<String> {
    match kind {
        ParamKind::String => predicate::strings(c, t, values, m),
        ParamKind::Token => predicate::tokens(c, t, values, m),
        ParamKind::Reference => predicate::references(c, t, values, m),
        ParamKind::Date => predicate::dates(c, t, values),
        ParamKind::Number => predicate::numbers(c, t, values),
        ParamKind::Quantity => predicate::quantities(c, t, values),
        ParamKind::Uri => predicate::uris(c, t, values, m),
        ParamKind::Composite | ParamKind::Special => Ok("1 = 0".to_owned()),
    }
}

/// The index table of a parameter kind.
pub fn table(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "idx_string",
        ParamKind::Token => "idx_token",
        ParamKind::Reference => "idx_reference",
        ParamKind::Date => "idx_date",
        ParamKind::Number => "idx_number",
        ParamKind::Quantity => "idx_quantity",
        ParamKind::Uri | ParamKind::Composite | ParamKind::Special => "idx_uri",
    }
}
