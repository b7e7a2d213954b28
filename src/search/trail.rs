//! AuditEvent search over the trail table (`audit_trail`, rows filed under their records in
//! `audit_patients`), compiled to the same [`PagePlan`] as every other search: the page and
//! count queries, keyset paging on `(recorded, seq)`, newest first unless `_sort=date`.
//!
//! The trail answers `_id`, `_lastUpdated`, `date`, `patient` (and the Patient compartment),
//! `entity`, `agent` (and `agent:identifier`), `outcome`, `action`, `subtype`, `type` and `altid`;
//! anything else is refused with `Prefer: handling=strict` and left out (and out of the `self`
//! link) otherwise, as are `_include` and `_revinclude`. The requester's visibility comes from
//! [`access::trail`]: a holder's searches run inside their records' part of the trail.

use super::access::{self, TrailAccess};
use super::compile::Compiler;
use super::page::{self, Cursor, PagePlan};
use super::predicate::{Prefix, prefix};
use super::query::{Clause, Modifier, SearchRequest};
use super::values::date_range;
use crate::consent::AccessScope;
use crate::error::{Error, Result};
use crate::store::{Dialect, KeyKind, SqlValue};

/// The trail's resource type.
pub const TYPE: &str = "AuditEvent";

/// The search parameters the trail answers (code, type), for the capability statement.
pub const PARAMS: [(&str, &str); 11] = [
    ("_id", "token"),
    ("_lastUpdated", "date"),
    ("date", "date"),
    ("patient", "reference"),
    ("entity", "reference"),
    ("agent", "reference"),
    ("outcome", "token"),
    ("action", "token"),
    ("subtype", "token"),
    ("type", "token"),
    ("altid", "token"),
];

/// Whether a search over `types` is a search of the trail; a search naming AuditEvent among
/// other types is refused (the trail is searched on its own).
///
/// # Errors
/// `Invalid` for AuditEvent among other types.
pub fn is_trail(types: &[String]) -> Result<bool> {
    match types {
        [one] => Ok(one == TYPE),
        many if many.iter().any(|t| t == TYPE) => Err(Error::invalid(
            "AuditEvent is searched on its own, not with other types",
        )
        .at("_type")),
        _ => Ok(false),
    }
}

/// Refuses (`strict`) or leaves out what the trail does not answer.
///
/// # Errors
/// `Invalid` naming the first parameter the trail does not answer, when `strict`.
pub fn restrict(req: &mut SearchRequest, strict: bool) -> Result<()> {
    let mut dropped: Vec<String> = Vec::new();
    let clauses = std::mem::take(&mut req.clauses);
    for clause in clauses {
        match unsupported(&clause) {
            None => req.clauses.push(clause),
            Some(name) => dropped.push(name),
        }
    }
    if req.sort.len() > 1
        || req
            .sort
            .iter()
            .any(|k| !matches!(k.code.as_str(), "date" | "_lastUpdated"))
    {
        req.sort.clear();
        dropped.push("_sort".to_owned());
    }
    if !req.includes.is_empty() || !req.revincludes.is_empty() {
        req.includes.clear();
        req.revincludes.clear();
        dropped.extend(["_include".to_owned(), "_revinclude".to_owned()]);
    }
    if let Some(name) = dropped.first()
        && strict
    {
        return Err(Error::invalid(format!(
            "AuditEvent search does not support '{name}' (it answers {})",
            PARAMS.map(|(p, _)| p).join(", ")
        ))
        .at(name.clone()));
    }
    req.understood.retain(|(k, _)| {
        let base = k.split([':', '.']).next().unwrap_or(k);
        !dropped
            .iter()
            .any(|d| d == base || (d == "_has" && k.starts_with("_has:")))
    });
    Ok(())
}

/// The parameter name of `clause` when the trail does not answer it.
fn unsupported(clause: &Clause) -> Option<String> {
    match clause {
        Clause::Id(_) | Clause::LastUpdated(_) => None,
        Clause::Param { code, modifier, .. } => {
            let ok = match (code.as_str(), modifier) {
                ("date" | "outcome" | "action" | "subtype" | "type" | "altid", Modifier::None) => {
                    true
                }
                ("patient", Modifier::None) => true,
                ("patient", Modifier::Type(t)) => t == "Patient",
                ("entity", Modifier::None | Modifier::Type(_)) => true,
                ("agent", Modifier::None | Modifier::Type(_) | Modifier::Identifier) => true,
                _ => false,
            };
            (!ok).then(|| code.clone())
        }
        Clause::Chain { code, .. } | Clause::Composite { code, .. } => Some(code.clone()),
        Clause::Has { .. } => Some("_has".to_owned()),
    }
}

/// The page and count queries of a trail search (`req` restricted by [`restrict`]).
///
/// # Errors
/// `Invalid` for a bad value, a compartment other than Patient, or a foreign `_cursor`.
pub fn plan(
    req: &SearchRequest,
    base_url: &str,
    dialect: Dialect,
    scope: &AccessScope,
) -> Result<PagePlan> {
    let cursor = req.cursor.as_deref().map(page::decode).transpose()?;
    let backwards = cursor.as_ref().is_some_and(|k| k.backwards);
    let at_end = cursor.as_ref().is_some_and(|k| k.at_end);
    let ascending = req.sort.first().is_some_and(|k| !k.descending);
    let descending = ascending == backwards;
    let mut c = Compiler::with_access(base_url, scope.clone());
    let from = source(&mut c, req, dialect, scope)?;
    let after = match &cursor {
        Some(cur) if !cur.at_end => format!(" AND {}", after_row(&mut c, cur, &from, descending)?),
        _ => String::new(),
    };
    let dir = if descending { "DESC" } else { "ASC" };
    c.q.sql = format!(
        "SELECT {}CAST('{TYPE}' AS TEXT), t.res_id, {k0}, {k1} FROM {} WHERE {}{after} \
         ORDER BY {k0} {dir}, {k1} {dir} LIMIT {}",
        if from.distinct { "DISTINCT " } else { "" },
        from.tables,
        from.conds,
        req.count + 1,
        k0 = from.recorded,
        k1 = from.seq,
    );
    let mut cc = Compiler::with_access(base_url, scope.clone());
    let all = source(&mut cc, req, dialect, scope)?;
    let counted = if all.distinct {
        format!("DISTINCT {}", all.seq)
    } else {
        "*".to_owned()
    };
    cc.q.sql = format!(
        "SELECT COUNT({counted}) FROM {} WHERE {}",
        all.counted, all.conds
    );
    Ok(PagePlan {
        page: c.q,
        kinds: vec![KeyKind::Int, KeyKind::Int],
        count: cc.q,
        backwards,
        at_end,
    })
}

/// The tables and conditions of a trail search, and the sort columns.
struct Source {
    tables: String,
    /// What the count reads: the filing alone when nothing else is asked of the events.
    counted: String,
    conds: String,
    recorded: String,
    seq: String,
    /// An event may come once per record of the driving set.
    distinct: bool,
}

fn source(
    c: &mut Compiler,
    req: &SearchRequest,
    dialect: Dialect,
    scope: &AccessScope,
) -> Result<Source> {
    let mut conds = Vec::new();
    // Each set: the event must be filed under one of its records.
    let mut sets: Vec<Vec<String>> = Vec::new();
    match access::trail(scope) {
        TrailAccess::All => {}
        TrailAccess::Records(records) => sets.push(records),
        TrailAccess::Nothing => conds.push("1 = 0".to_owned()),
    }
    match &req.compartment {
        Some((t, id)) if t == "Patient" => sets.push(vec![id.clone()]),
        Some((t, _)) => {
            return Err(Error::invalid(format!(
                "AuditEvent is searched in the Patient compartment, not in {t}'s"
            )));
        }
        None => {}
    }
    for clause in &req.clauses {
        match clause {
            Clause::Param {
                code,
                values,
                modifier,
                ..
            } if code == "patient" => {
                let ids = values
                    .iter()
                    .filter_map(|v| patient_id(&c.base_url, v, modifier))
                    .collect();
                sets.push(ids);
            }
            other => conds.push(condition(c, other, dialect)?),
        }
    }
    // The holder's records and a `patient` value naming one of them: one set, not two.
    for set in &mut sets {
        set.sort();
        set.dedup();
    }
    sets.sort();
    sets.dedup();
    sets.sort_by_key(Vec::len);
    let mut sets = sets.into_iter();
    let Some(drive) = sets.next() else {
        if conds.is_empty() {
            conds.push("1 = 1".to_owned());
        }
        return Ok(Source {
            tables: "audit_trail t".to_owned(),
            counted: "audit_trail t".to_owned(),
            conds: conds.join(" AND "),
            recorded: "t.recorded".to_owned(),
            seq: "t.seq".to_owned(),
            distinct: false,
        });
    };
    let distinct = drive.len() > 1;
    let filing_alone = conds.is_empty() && sets.len() == 0;
    conds.insert(0, filed(c, "d", &drive));
    for set in sets {
        let p = c.alias("ap");
        let within = filed(c, &p, &set);
        conds.push(format!(
            "EXISTS (SELECT 1 FROM audit_patients {p} WHERE {within} AND {p}.recorded = t.recorded AND {p}.seq = t.seq)"
        ));
    }
    let tables = "audit_patients d JOIN audit_trail t ON t.seq = d.seq".to_owned();
    Ok(Source {
        counted: if filing_alone {
            "audit_patients d".to_owned()
        } else {
            tables.clone()
        },
        tables,
        conds: conds.join(" AND "),
        recorded: "d.recorded".to_owned(),
        seq: "d.seq".to_owned(),
        distinct,
    })
}

/// `alias.patient IN (…)`; false for no record.
fn filed(c: &mut Compiler, alias: &str, records: &[String]) -> String {
    if records.is_empty() {
        return "1 = 0".to_owned();
    }
    let marks: Vec<String> = records.iter().map(|r| c.q.text(r.clone())).collect();
    format!("{alias}.patient IN ({})", marks.join(", "))
}

/// The Patient id a `patient` value names (`id`, `Patient/id`, `[base]/Patient/id`); `None`
/// for another type (no event matches it).
fn patient_id(base: &str, value: &str, modifier: &Modifier) -> Option<String> {
    let local = value
        .strip_prefix(base)
        .map_or(value, |v| v.trim_start_matches('/'));
    match (local.split_once('/'), modifier) {
        (None, _) => Some(local.to_owned()),
        (Some(("Patient", id)), Modifier::None) => Some(id.to_owned()),
        _ => None,
    }
}

/// The condition of a clause other than `patient`.
fn condition(c: &mut Compiler, clause: &Clause, dialect: Dialect) -> Result<String> {
    let ors: Vec<String> = match clause {
        Clause::Id(ids) => {
            let marks: Vec<String> = ids.iter().map(|i| c.q.text(i.clone())).collect();
            return Ok(format!("t.res_id IN ({})", marks.join(", ")));
        }
        Clause::LastUpdated(values) => values
            .iter()
            .map(|v| recorded_on(c, v).map_err(|e| e.at("_lastUpdated")))
            .collect::<Result<_>>()?,
        Clause::Param { code, values, .. } if code == "date" => values
            .iter()
            .map(|v| recorded_on(c, v).map_err(|e| e.at("date")))
            .collect::<Result<_>>()?,
        Clause::Param {
            code,
            values,
            modifier,
            ..
        } => {
            let mut ors = Vec::new();
            for v in values {
                if code == "type" && implied_type(v) {
                    ors.push("1 = 1".to_owned());
                    continue;
                }
                let term = format!(" {} ", term(&c.base_url, code, modifier, v)?);
                let mark = c.q.text(term);
                ors.push(match dialect {
                    Dialect::Sqlite => format!("instr(t.terms, {mark}) > 0"),
                    Dialect::Postgres => format!("strpos(t.terms, {mark}) > 0"),
                });
            }
            ors
        }
        Clause::Chain { code, .. } | Clause::Composite { code, .. } => {
            return Err(Error::invalid(format!(
                "AuditEvent search does not support '{code}'"
            )));
        }
        Clause::Has { .. } => {
            return Err(Error::invalid("AuditEvent search does not support '_has'"));
        }
    };
    Ok(if ors.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", ors.join(" OR "))
    })
}

/// Whether a `type` value names the type of every event (`rest`, which the trail implies
/// rather than stores).
fn implied_type(value: &str) -> bool {
    match value.split_once('|') {
        None => value == "rest",
        Some((system, code)) => system == crate::audit::EVENT_TYPES && code == "rest",
    }
}

/// The ` key:value ` term (see `audit::terms`) a value of `code` looks for.
fn term(base: &str, code: &str, modifier: &Modifier, value: &str) -> Result<String> {
    let local = value
        .strip_prefix(base)
        .map_or(value, |v| v.trim_start_matches('/'));
    Ok(match (code, modifier) {
        ("agent", Modifier::Identifier) => {
            if !value.contains('|') {
                return Err(Error::invalid(format!(
                    "agent:identifier takes system|value, not '{value}'"
                ))
                .at("agent:identifier"));
            }
            format!("agent-identifier:{value}")
        }
        ("entity" | "agent", Modifier::Type(t)) => format!("{code}:{t}/{local}"),
        ("entity" | "agent", _) => {
            if !local.contains('/') {
                return Err(Error::invalid(format!(
                    "{code} takes Type/id on AuditEvent, not '{value}'"
                ))
                .at(code.to_owned()));
            }
            format!("{code}:{local}")
        }
        // The subtype's usual system is implied: its terms hold the code alone.
        ("subtype", _) => match value.split_once('|') {
            Some((crate::audit::INTERACTIONS, code)) => format!("subtype:{code}"),
            _ => format!("subtype:{value}"),
        },
        _ => format!("{code}:{value}"),
    })
}

/// One date value with its prefix against `recorded` (a point in time).
fn recorded_on(c: &mut Compiler, v: &str) -> Result<String> {
    let (p, text) = prefix(v);
    let (lo, hi) = date_range(text).ok_or_else(|| Error::invalid(format!("invalid date '{v}'")))?;
    let (lo, hi) = (c.q.bind(SqlValue::Int(lo)), c.q.bind(SqlValue::Int(hi)));
    let col = "t.recorded";
    Ok(match p {
        Prefix::Eq | Prefix::Ap => format!("({col} >= {lo} AND {col} <= {hi})"),
        Prefix::Ne => format!("NOT ({col} >= {lo} AND {col} <= {hi})"),
        Prefix::Gt | Prefix::Sa => format!("{col} > {hi}"),
        Prefix::Lt | Prefix::Eb => format!("{col} < {lo}"),
        Prefix::Ge => format!("{col} >= {lo}"),
        Prefix::Le => format!("{col} <= {hi}"),
    })
}

/// Rows strictly after the cursor row in the page's order.
fn after_row(c: &mut Compiler, cur: &Cursor, from: &Source, descending: bool) -> Result<String> {
    let [SqlValue::Int(recorded), SqlValue::Int(seq)] = cur.keys.as_slice() else {
        return Err(Error::invalid("the _cursor does not belong to this search").at("_cursor"));
    };
    let op = if descending { "<" } else { ">" };
    let (a, b, s) = (
        c.q.bind(SqlValue::Int(*recorded)),
        c.q.bind(SqlValue::Int(*recorded)),
        c.q.bind(SqlValue::Int(*seq)),
    );
    Ok(format!(
        "({r} {op} {a} OR ({r} = {b} AND {q} {op} {s}))",
        r = from.recorded,
        q = from.seq
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_the_terms_the_trail_keeps() {
        let base = "http://h/fhir";
        let t = |code, m: Modifier, v| term(base, code, &m, v).unwrap();
        assert_eq!(t("outcome", Modifier::None, "4"), "outcome:4");
        assert_eq!(
            t(
                "entity",
                Modifier::None,
                "http://h/fhir/DocumentReference/d1"
            ),
            "entity:DocumentReference/d1"
        );
        assert_eq!(
            t("entity", Modifier::Type("Binary".into()), "b1"),
            "entity:Binary/b1"
        );
        assert_eq!(
            t("agent", Modifier::Identifier, "urn:oid:1|8"),
            "agent-identifier:urn:oid:1|8"
        );
        assert_eq!(
            t(
                "subtype",
                Modifier::None,
                "http://hl7.org/fhir/restful-interaction|read"
            ),
            "subtype:read"
        );
        assert_eq!(
            t("subtype", Modifier::None, "urn:x|read"),
            "subtype:urn:x|read"
        );
        assert!(implied_type("rest"));
        assert!(implied_type(
            "http://terminology.hl7.org/CodeSystem/audit-event-type|rest"
        ));
        assert!(!implied_type("urn:x|rest") && !implied_type("|rest") && !implied_type("login"));
        assert!(term(base, "entity", &Modifier::None, "d1").is_err());
        assert!(term(base, "agent", &Modifier::Identifier, "8").is_err());
        assert_eq!(
            patient_id(base, "Patient/p1", &Modifier::None).as_deref(),
            Some("p1")
        );
        assert_eq!(
            patient_id(base, "http://h/fhir/Patient/p1", &Modifier::None).as_deref(),
            Some("p1")
        );
        assert_eq!(
            patient_id(base, "p1", &Modifier::Type("Patient".into())).as_deref(),
            Some("p1")
        );
        assert_eq!(patient_id(base, "Group/g", &Modifier::None), None);
    }

    #[test]
    fn the_trail_is_searched_on_its_own() {
        assert!(is_trail(&["AuditEvent".into()]).unwrap());
        assert!(!is_trail(&["Patient".into()]).unwrap());
        assert!(!is_trail(&[]).unwrap());
        assert!(is_trail(&["Patient".into(), "AuditEvent".into()]).is_err());
    }
}
