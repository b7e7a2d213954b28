//! The page query: filters, `_sort` keys with a deterministic tiebreak (type, id), and keyset paging by an
//! opaque cursor holding the last (or first) row's keys, so pages stay correct while others write.

use base64::Engine;
use serde_json::{Value, json};

use super::compile::{Compiler, table};
use super::index::ParamKind;
use super::query::{Clause, SearchRequest, SortKey};
use crate::consent::AccessScope;
use crate::error::{Error, Result};
use crate::store::{Dialect, KeyKind, SqlQuery, SqlValue};

/// A compiled search: the page query with its key kinds, and the count query.
#[derive(Debug)]
pub struct PagePlan {
    /// `SELECT res_type, res_id, k… ` for one page (+1 row to know whether there is more).
    pub page: SqlQuery,
    /// Kinds of the selected keys.
    pub kinds: Vec<KeyKind>,
    /// `SELECT COUNT(*)` of all matches.
    pub count: SqlQuery,
    /// The page goes backwards from the cursor (a `previous` link): rows come in reverse.
    pub backwards: bool,
    /// The page is the last one (a `last` link): backwards from the end, nothing comes after it.
    pub at_end: bool,
}

/// Where a page starts: after (next) or before (previous) a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// Page backwards.
    pub backwards: bool,
    /// No row: the page ends at the end of the results (the `last` link; `backwards` is set).
    pub at_end: bool,
    /// The sort key values of the row.
    pub keys: Vec<SqlValue>,
    /// The row's type.
    pub res_type: String,
    /// The row's id.
    pub id: String,
}

impl Cursor {
    /// The cursor of the last page.
    pub fn end() -> Self {
        Self {
            backwards: true,
            at_end: true,
            keys: Vec::new(),
            res_type: String::new(),
            id: String::new(),
        }
    }
}

/// The WHERE condition of a search on the alias `r`.
fn filters(c: &mut Compiler, req: &SearchRequest) -> Result<String> {
    let (scope, ty) = if let [one] = req.types.as_slice() {
        let p = c.q.text(one.clone());
        (format!("r.res_type = {p}"), p)
    } else {
        let marks: Vec<String> = req.types.iter().map(|t| c.q.text(t.clone())).collect();
        (
            format!("r.res_type IN ({})", marks.join(", ")),
            "r.res_type".to_owned(),
        )
    };
    let mut conds = vec!["r.deleted = 0".to_owned(), scope];
    let access = c.access.clone();
    let known = if let [one] = req.types.as_slice() {
        Some(one.as_str())
    } else {
        None
    };
    conds.push(super::access::predicate(
        c,
        &access,
        known,
        "r.res_type",
        "r.res_id",
    ));
    let driver = req.driver.or_else(|| {
        req.clauses
            .iter()
            .enumerate()
            .min_by_key(|(_, cl)| selectivity(cl))
            .map(|(i, _)| i)
    });
    for (i, clause) in req.clauses.iter().enumerate() {
        c.correlated = Some(i) != driver;
        conds.push(c.clause(clause, "r", &ty)?);
    }
    c.correlated = false;
    if let Some((ctype, cid)) = &req.compartment {
        conds.push(compartment(c, req, &ty, ctype, cid));
    }
    Ok(conds.join(" AND "))
}

/// How selective a clause usually is (lower drives the query): ids and references first, then a date
/// equal to a day or finer (a birth date matches a few resources in tens of thousands), then strings
/// of three characters or more (a family-name prefix), broad codes and ranges last.
fn selectivity(clause: &Clause) -> u8 {
    use super::query::Modifier as M;
    match clause {
        Clause::Param {
            kind: ParamKind::Date,
            modifier: M::None,
            values,
            ..
        } if !values.is_empty() && values.iter().all(|v| day_or_finer(v)) => 2,
        Clause::Param {
            kind: ParamKind::String,
            modifier: M::None | M::Exact | M::Contains,
            values,
            ..
        } if values.iter().any(|v| v.chars().count() < 3) => 5,
        Clause::Id(_) => 0,
        Clause::Param {
            kind: ParamKind::Reference,
            modifier,
            ..
        } if *modifier != M::Missing => 1,
        Clause::Param {
            code,
            kind: ParamKind::Token,
            modifier: M::None,
            ..
        } if code == "identifier" => 1,
        Clause::Chain { .. } => 2,
        Clause::Param {
            kind: ParamKind::String,
            modifier,
            ..
        } if *modifier != M::Missing => 3,
        Clause::Has { .. } | Clause::Composite { .. } => 4,
        Clause::Param {
            modifier: M::Missing | M::Not,
            ..
        } => 9,
        _ => 5,
    }
}

/// Most rows an estimate counts: beyond it a clause is simply "large".
pub const ESTIMATE_CAP: i64 = 1000;

/// Bounded count queries for the clauses that could drive `req` when no id, reference or identifier
/// clause does and two or more index clauses compete: `(clause index, SELECT COUNT(*) …)`. The one
/// with the fewest index rows should drive ([`SearchRequest::driver`]); empty when ranks decide.
pub fn estimates(req: &SearchRequest, base_url: &str) -> Result<Vec<(usize, SqlQuery)>> {
    let [ty] = req.types.as_slice() else {
        return Ok(Vec::new());
    };
    let candidates: Vec<usize> = req
        .clauses
        .iter()
        .enumerate()
        .filter(|(_, cl)| {
            matches!(
                cl,
                Clause::Param {
                    modifier: super::query::Modifier::None,
                    ..
                }
            )
        })
        .filter(|(_, cl)| (2..=5).contains(&selectivity(cl)))
        .map(|(i, _)| i)
        .collect();
    let best = req.clauses.iter().map(selectivity).min().unwrap_or(9);
    if candidates.len() < 2 || best < 2 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for i in candidates {
        let mut c = Compiler::new(base_url);
        let t = c.q.text(ty.clone());
        let cond = c.clause(&req.clauses[i], "r", &t)?;
        // `r.res_id IN (SELECT t.res_id FROM idx t WHERE …)`: count the inner rows, capped.
        let Some(inner) = cond
            .strip_prefix("r.res_id IN (")
            .and_then(|s| s.strip_suffix(')'))
        else {
            continue;
        };
        c.q.sql = format!("SELECT COUNT(*) FROM ({inner} LIMIT {ESTIMATE_CAP}) e");
        out.push((i, c.q));
    }
    Ok(out)
}

/// A date value without a prefix (or `eq`) written to the day or finer: `1985-04-12`, `eq2020-01-01T10:00`.
fn day_or_finer(value: &str) -> bool {
    let v = value.strip_prefix("eq").unwrap_or(value);
    v.len() >= 10 && v.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

fn compartment(c: &mut Compiler, req: &SearchRequest, ty: &str, ctype: &str, cid: &str) -> String {
    let model = crate::model::r4();
    let mut params: Vec<String> = req
        .types
        .iter()
        .filter_map(|t| model.compartment(ctype, t))
        .flatten()
        .cloned()
        .collect();
    params.sort();
    params.dedup();
    if params.is_empty() {
        return "1 = 0".to_owned();
    }
    let t = c.alias("t");
    let marks: Vec<String> = params.into_iter().map(|p| c.q.text(p)).collect();
    let (ct, ci) = (c.q.text(ctype), c.q.text(cid));
    let linked = format!(
        "r.res_id IN (SELECT {t}.res_id FROM idx_reference {t} WHERE {t}.res_type = {ty} AND {t}.param IN ({}) \
         AND {t}.target_type = {ct} AND {t}.target_id = {ci})",
        marks.join(", ")
    );
    if req.types.iter().any(|t| t == ctype) {
        // The compartment's own resource belongs to it (`Patient/[id]/$everything` answers the Patient).
        let (ct2, ci2) = (c.q.text(ctype), c.q.text(cid));
        return format!("({linked} OR (r.res_type = {ct2} AND r.res_id = {ci2}))");
    }
    linked
}

fn collate(dialect: Dialect, expr: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("{expr} COLLATE \"C\""),
        Dialect::Sqlite => expr.to_owned(),
    }
}

/// The SQL expression and kind of a sort key; missing values sort last in both directions.
fn key_expr(c: &mut Compiler, k: &SortKey, dialect: Dialect) -> (String, KeyKind) {
    let agg = if k.descending { "MAX" } else { "MIN" };
    match (k.code.as_str(), k.kind) {
        ("_id", _) => (collate(dialect, "r.res_id"), KeyKind::Text),
        ("_lastUpdated", _) => ("r.last_updated".to_owned(), KeyKind::Int),
        (code, kind) => {
            let (col, kk, missing) = match kind {
                ParamKind::Date if k.descending => ("high", KeyKind::Int, SqlValue::Int(i64::MIN)),
                ParamKind::Date => ("low", KeyKind::Int, SqlValue::Int(i64::MAX)),
                ParamKind::Number | ParamKind::Quantity => {
                    let m = if k.descending { f64::MIN } else { f64::MAX };
                    ("value", KeyKind::Float, SqlValue::Float(m))
                }
                ParamKind::String => ("normalized", KeyKind::Text, text_sentinel(k.descending)),
                ParamKind::Reference => ("target_id", KeyKind::Text, text_sentinel(k.descending)),
                ParamKind::Uri => ("value", KeyKind::Text, text_sentinel(k.descending)),
                _ => ("code", KeyKind::Text, text_sentinel(k.descending)),
            };
            let t = c.alias("s");
            let p = c.q.text(code);
            let m = c.q.bind(missing);
            let inner = if kk == KeyKind::Text {
                collate(dialect, &format!("{t}.{col}"))
            } else {
                format!("{t}.{col}")
            };
            let expr = format!(
                "COALESCE((SELECT {agg}({inner}) FROM {} {t} WHERE {t}.res_type = r.res_type \
                 AND {t}.res_id = r.res_id AND {t}.param = {p}), {m})",
                table(kind)
            );
            (
                if kk == KeyKind::Text {
                    collate(dialect, &expr)
                } else {
                    expr
                },
                kk,
            )
        }
    }
}

fn text_sentinel(descending: bool) -> SqlValue {
    SqlValue::Text(if descending {
        String::new()
    } else {
        "\u{10FFFF}".to_owned()
    })
}

/// Compile the page and count queries of `req`, over the resources visible under `access`.
pub fn plan(
    req: &SearchRequest,
    base_url: &str,
    dialect: Dialect,
    access: &AccessScope,
) -> Result<PagePlan> {
    let cursor = req.cursor.as_deref().map(decode).transpose()?;
    let mut c = Compiler::with_access(base_url, access.clone());
    let mut keys = Vec::new();
    for k in &req.sort {
        keys.push(key_expr(&mut c, k, dialect));
    }
    let where_ = filters(&mut c, req)?;
    let selected: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (e, _))| format!("{e} AS k{i}"))
        .collect();
    let inner = format!(
        "SELECT r.res_type, r.res_id{}{} FROM resources r WHERE {where_}",
        if selected.is_empty() { "" } else { ", " },
        selected.join(", ")
    );
    let backwards = cursor.as_ref().is_some_and(|k| k.backwards);
    let at_end = cursor.as_ref().is_some_and(|k| k.at_end);
    let dirs: Vec<bool> = req.sort.iter().map(|k| k.descending != backwards).collect();
    let after = match &cursor {
        Some(cur) if cur.at_end => String::new(),
        Some(cur) => format!(
            "WHERE {}",
            after_row(&mut c, cur, &dirs, backwards, dialect)?
        ),
        None => String::new(),
    };
    let mut order: Vec<String> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| format!("s.k{i} {}", if *d { "DESC" } else { "ASC" }))
        .collect();
    let tie = if backwards { "DESC" } else { "ASC" };
    order.push(format!("{} {tie}", collate(dialect, "s.res_type")));
    order.push(format!("{} {tie}", collate(dialect, "s.res_id")));
    let cols: Vec<String> = (0..keys.len()).map(|i| format!(", s.k{i}")).collect();
    c.q.sql = format!(
        "SELECT s.res_type, s.res_id{} FROM ({inner}) s {after} ORDER BY {} LIMIT {}",
        cols.concat(),
        order.join(", "),
        req.count + 1
    );
    let mut cc = Compiler::with_access(base_url, access.clone());
    let where_count = filters(&mut cc, req)?;
    cc.q.sql = format!("SELECT COUNT(*) FROM resources r WHERE {where_count}");
    Ok(PagePlan {
        page: c.q,
        kinds: keys.into_iter().map(|(_, k)| k).collect(),
        count: cc.q,
        backwards,
        at_end,
    })
}

/// Rows strictly after the cursor row in the page's order (`desc[i]` per key; the tiebreak runs ascending,
/// or descending when going backwards).
fn after_row(
    c: &mut Compiler,
    cur: &Cursor,
    desc: &[bool],
    backwards: bool,
    dialect: Dialect,
) -> Result<String> {
    if cur.keys.len() != desc.len() {
        return Err(Error::invalid("the _cursor does not belong to this search").at("_cursor"));
    }
    let mut cols: Vec<(String, SqlValue, bool)> = cur
        .keys
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("s.k{i}"), v.clone(), desc[i]))
        .collect();
    cols.push((
        collate(dialect, "s.res_type"),
        SqlValue::Text(cur.res_type.clone()),
        backwards,
    ));
    cols.push((
        collate(dialect, "s.res_id"),
        SqlValue::Text(cur.id.clone()),
        backwards,
    ));
    let mut ors = Vec::new();
    for i in 0..cols.len() {
        let mut ands = Vec::new();
        for (col, v, _) in &cols[..i] {
            ands.push(format!("{col} = {}", c.q.bind(v.clone())));
        }
        let (col, v, d) = &cols[i];
        ands.push(format!(
            "{col} {} {}",
            if *d { "<" } else { ">" },
            c.q.bind(v.clone())
        ));
        ors.push(format!("({})", ands.join(" AND ")));
    }
    Ok(format!("({})", ors.join(" OR ")))
}

/// The opaque `_cursor` text of a row.
pub fn encode(cur: &Cursor) -> String {
    let keys: Vec<Value> = cur
        .keys
        .iter()
        .map(|k| match k {
            SqlValue::Int(i) => json!({"i": i.to_string()}),
            SqlValue::Float(f) => json!({"f": f.to_string()}),
            SqlValue::Text(s) => json!({"s": s}),
        })
        .collect();
    let v = if cur.at_end {
        json!({"e": true})
    } else {
        json!({"b": cur.backwards, "k": keys, "t": cur.res_type, "id": cur.id})
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Read a `_cursor`; a damaged one is `Invalid`.
pub fn decode(raw: &str) -> Result<Cursor> {
    let bad = || Error::invalid("invalid _cursor").at("_cursor");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if v["e"].as_bool() == Some(true) {
        return Ok(Cursor::end());
    }
    let key = |k: &Value| -> Option<SqlValue> {
        if let Some(i) = k.get("i") {
            return i.as_str()?.parse().ok().map(SqlValue::Int);
        }
        if let Some(f) = k.get("f") {
            return f.as_str()?.parse().ok().map(SqlValue::Float);
        }
        k.get("s")?.as_str().map(|s| SqlValue::Text(s.to_owned()))
    };
    let keys = v["k"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(key)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)?;
    Ok(Cursor {
        backwards: v["b"].as_bool().unwrap_or(false),
        at_end: false,
        keys,
        res_type: v["t"].as_str().ok_or_else(bad)?.to_owned(),
        id: v["id"].as_str().ok_or_else(bad)?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(code: &str, kind: ParamKind, value: &str) -> Clause {
        Clause::Param {
            code: code.into(),
            kind,
            modifier: super::super::query::Modifier::None,
            values: vec![value.into()],
        }
    }

    #[test]
    fn a_birth_date_drives_before_a_family_prefix() {
        let family = param("family", ParamKind::String, "Martin");
        let day = param("birthdate", ParamKind::Date, "1985-04-12");
        let year = param("birthdate", ParamKind::Date, "1985");
        let range = param("birthdate", ParamKind::Date, "ge1985-04-12");
        assert!(selectivity(&day) < selectivity(&family));
        assert!(selectivity(&family) < selectivity(&year));
        assert!(selectivity(&family) < selectivity(&range));
        assert!(selectivity(&param("family", ParamKind::String, "Ma")) > selectivity(&family));
    }

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            backwards: true,
            at_end: false,
            keys: vec![
                SqlValue::Int(-5),
                SqlValue::Float(1.5),
                SqlValue::Text("a|b".into()),
            ],
            res_type: "Patient".into(),
            id: "x".into(),
        };
        assert_eq!(decode(&encode(&c)).unwrap(), c);
        assert!(decode("garbage!").is_err());
    }
}
