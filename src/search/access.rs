//! The consent engine inside the SQL: the condition that a resource (type and id given as SQL
//! expressions) exists for the requester, built from an [`AccessScope`] over `access_facts`.
//!
//! Every read path adds it: the page and count queries of a search (so `_total`, `_summary=count`
//! and paging count visible resources only), the resources that chained parameters and `_has`
//! look at, `_include`/`_revinclude` targets, read, vread and history. The rules are those of
//! `consent/` (access-rules.md): for a professional, per record, closed → no; médecin traitant →
//! yes; blocked → no; authorised → yes; emergency mode unless opposed → yes; and within the record
//! a document is visible to its authors, to the médecin traitant, or when the matrix allows its
//! type and it is not `MASQUE_PS`. A Binary follows the DocumentReference(s) whose attachment
//! points at it. Patients are visible to every professional; Consents to the médecin traitant;
//! AuditEvents (rows of the trail table, filed under their records) to none. A holder sees their record (minus the documents hidden from them), a
//! representative the same minus `INVISIBLE_REPRESENTANTS_LEGAUX`, a system client the records
//! that are not closed without `MASQUE_PS` documents. Resources outside every record
//! (Practitioner, Organization, terminology…) are visible to all.

use super::compile::Compiler;
use crate::consent::{AccessScope, TypeRule};

/// Types with their own rule; every other type follows its record links.
const SPECIAL: [&str; 6] = [
    "Patient",
    "DocumentReference",
    "Binary",
    "Consent",
    "AuditEvent",
    "Communication",
];

/// The condition that the resource `(t, id)` is visible under `scope`; `ty` is its type when known
/// at compile time (the condition is then specialised to it).
pub fn predicate(
    c: &mut Compiler,
    scope: &AccessScope,
    ty: Option<&str>,
    t: &str,
    id: &str,
) -> String {
    if *scope == AccessScope::All {
        return "1 = 1".to_owned();
    }
    if let Some(ty) = ty {
        return for_type(c, scope, ty, t, id);
    }
    let mut ors = Vec::new();
    for special in SPECIAL {
        let cond = for_type(c, scope, special, t, id);
        ors.push(format!("({t} = '{special}' AND ({cond}))"));
    }
    let other = for_type(c, scope, "", t, id);
    let list: Vec<String> = SPECIAL.iter().map(|s| format!("'{s}'")).collect();
    ors.push(format!("({t} NOT IN ({}) AND ({other}))", list.join(", ")));
    format!("({})", ors.join(" OR "))
}

/// The condition for a resource of type `ty` (`""` = a type without its own rule).
fn for_type(c: &mut Compiler, scope: &AccessScope, ty: &str, t: &str, id: &str) -> String {
    match scope {
        AccessScope::All => "1 = 1".to_owned(),
        AccessScope::Nothing => "1 = 0".to_owned(),
        AccessScope::Professional { .. } => professional(c, scope, ty, t, id),
        AccessScope::Holder { patients, .. } => {
            let mine = |c: &mut Compiler| {
                let marks: Vec<String> = patients.iter().map(|p| c.q.text(p.clone())).collect();
                let list = if marks.is_empty() {
                    "NULL".to_owned()
                } else {
                    marks.join(", ")
                };
                links_any(c, t, id, &format!("IN ({list})"))
            };
            match ty {
                "Patient" if patients.is_empty() => "1 = 0".to_owned(),
                "Patient" => {
                    let marks: Vec<String> = patients.iter().map(|p| c.q.text(p.clone())).collect();
                    format!("{id} IN ({})", marks.join(", "))
                }
                "DocumentReference" => {
                    let m = mine(c);
                    format!("{m} AND {}", holder_document(c, scope, id))
                }
                "Binary" => owned_binary(c, scope, id, false),
                "Consent" => mine(c),
                "AuditEvent" => trail_event(c, patients, id),
                _ => {
                    let m = mine(c);
                    format!("({m} OR {})", unlinked(c, t, id))
                }
            }
        }
        AccessScope::System => {
            let open = |c: &mut Compiler| links_all(c, t, id, not_closed);
            match ty {
                "Patient" => "1 = 1".to_owned(),
                "Consent" | "AuditEvent" => "1 = 0".to_owned(),
                "DocumentReference" => {
                    let o = open(c);
                    format!("{o} AND {}", not_label(c, id, "MASQUE_PS"))
                }
                "Binary" => owned_binary(c, scope, id, true),
                "Communication" => {
                    let o = open(c);
                    format!("{o} AND NOT {}", has_notice(c, t, id))
                }
                _ => open(c),
            }
        }
    }
}

fn professional(c: &mut Compiler, scope: &AccessScope, ty: &str, t: &str, id: &str) -> String {
    match ty {
        "Patient" => "1 = 1".to_owned(),
        "AuditEvent" => "1 = 0".to_owned(),
        "Consent" => links_any_with(c, t, id, |c, pid| {
            format!("{} AND {}", not_closed(c, pid), record(c, pid, "gp", scope))
        }),
        "Binary" => owned_binary(c, scope, id, true),
        "Communication" => {
            // Emergency-access notices are for the médecin traitant, not every professional.
            let ok = links_all(c, t, id, |c, pid| record_ok(c, scope, pid));
            let notice = has_notice(c, t, id);
            let gp = links_any_with(c, t, id, |c, pid| record(c, pid, "gp", scope));
            format!("{ok} AND (NOT {notice} OR {gp})")
        }
        "DocumentReference" => {
            let ok = links_all(c, t, id, |c, pid| record_ok(c, scope, pid));
            format!("{ok} AND {}", pro_document(c, scope, t, id))
        }
        _ => links_all(c, t, id, |c, pid| record_ok(c, scope, pid)),
    }
}

/// Which events of the trail (`audit_trail`) exist for a requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrailAccess {
    /// Every event: an administrator, or the server's own work.
    All,
    /// The events filed under these records (`audit_patients`): a patient's or a legal
    /// representative's own records.
    Records(Vec<String>),
    /// None: professionals and system clients do not read the trail (it is the patient's).
    Nothing,
}

/// The trail events that exist under `scope`.
pub fn trail(scope: &AccessScope) -> TrailAccess {
    match scope {
        AccessScope::All => TrailAccess::All,
        AccessScope::Holder { patients, .. } => TrailAccess::Records(patients.clone()),
        _ => TrailAccess::Nothing,
    }
}

/// The trail event `id` is filed under one of `patients`.
fn trail_event(c: &mut Compiler, patients: &[String], id: &str) -> String {
    if patients.is_empty() {
        return "1 = 0".to_owned();
    }
    let (t, p) = (c.alias("at"), c.alias("ap"));
    let marks: Vec<String> = patients.iter().map(|x| c.q.text(x.clone())).collect();
    format!(
        "EXISTS (SELECT 1 FROM audit_trail {t} JOIN audit_patients {p} ON {p}.patient IN ({}) \
         AND {p}.recorded = {t}.recorded AND {p}.seq = {t}.seq WHERE {t}.res_id = {id})",
        marks.join(", ")
    )
}

/// The condition that a professional's rules 1-6 open the record whose Patient id is the SQL
/// expression `pid` (false for other scopes).
pub fn record_open(c: &mut Compiler, scope: &AccessScope, pid: &str) -> String {
    record_ok(c, scope, pid)
}

/// Rules 1-6 for the record `pid`.
fn record_ok(c: &mut Compiler, scope: &AccessScope, pid: &str) -> String {
    let AccessScope::Professional { emergency, .. } = scope else {
        return "1 = 0".to_owned();
    };
    let closed = not_closed(c, pid);
    let gp = record(c, pid, "gp", scope);
    let block = record(c, pid, "block", scope);
    let permit = record(c, pid, "permit", scope);
    let granted = if *emergency {
        let oppose = record(c, pid, "oppose", scope);
        format!("({permit} OR NOT {oppose})")
    } else {
        permit
    };
    format!("{closed} AND ({gp} OR (NOT {block} AND {granted}))")
}

/// `EXISTS` a record-state row of `kind` for the requester (gp: their IDNPS; permit/block: one of
/// their parties, in force today; oppose: in force today).
fn record(c: &mut Compiler, pid: &str, kind: &str, scope: &AccessScope) -> String {
    let AccessScope::Professional {
        idnps,
        parties,
        today,
        ..
    } = scope
    else {
        return "1 = 0".to_owned();
    };
    let a = c.alias("af");
    let value = match kind {
        "gp" => format!(" AND {a}.value = {}", c.q.text(idnps.clone())),
        "permit" | "block" => {
            let marks: Vec<String> = parties.iter().map(|p| c.q.text(p.clone())).collect();
            format!(" AND {a}.value IN ({})", marks.join(", "))
        }
        _ => String::new(),
    };
    let period = if kind == "gp" {
        String::new()
    } else {
        let d = c.q.bind(crate::store::SqlValue::Int(*today));
        let d2 = c.q.bind(crate::store::SqlValue::Int(*today));
        format!(" AND {a}.low <= {d} AND {a}.high >= {d2}")
    };
    format!(
        "EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.patient_id = {pid} AND {a}.kind = '{kind}'{value}{period})"
    )
}

fn not_closed(c: &mut Compiler, pid: &str) -> String {
    let a = c.alias("af");
    format!(
        "NOT EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.patient_id = {pid} AND {a}.kind = 'closed')"
    )
}

/// Every record the resource belongs to satisfies `ok` (true for a resource of no record).
fn links_all(
    c: &mut Compiler,
    t: &str,
    id: &str,
    ok: impl FnOnce(&mut Compiler, &str) -> String,
) -> String {
    let a = c.alias("al");
    let cond = ok(c, &format!("{a}.patient_id"));
    format!(
        "NOT EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = {t} AND {a}.res_id = {id} \
         AND {a}.kind = 'patient' AND NOT ({cond}))"
    )
}

/// The resource belongs to a record whose id satisfies `pid_cond` (e.g. `IN (…)`).
fn links_any(c: &mut Compiler, t: &str, id: &str, pid_cond: &str) -> String {
    let a = c.alias("al");
    format!(
        "EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = {t} AND {a}.res_id = {id} \
         AND {a}.kind = 'patient' AND {a}.patient_id {pid_cond})"
    )
}

fn links_any_with(
    c: &mut Compiler,
    t: &str,
    id: &str,
    ok: impl FnOnce(&mut Compiler, &str) -> String,
) -> String {
    let a = c.alias("al");
    let cond = ok(c, &format!("{a}.patient_id"));
    format!(
        "EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = {t} AND {a}.res_id = {id} \
         AND {a}.kind = 'patient' AND ({cond}))"
    )
}

fn has_notice(c: &mut Compiler, t: &str, id: &str) -> String {
    let a = c.alias("an");
    format!(
        "EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = {t} AND {a}.res_id = {id} \
         AND {a}.kind = 'notice')"
    )
}

fn unlinked(c: &mut Compiler, t: &str, id: &str) -> String {
    let a = c.alias("al");
    format!(
        "NOT EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = {t} AND {a}.res_id = {id} \
         AND {a}.kind = 'patient')"
    )
}

fn doc_fact(c: &mut Compiler, id: &str, kind: &str, value: Option<String>) -> String {
    let a = c.alias("ad");
    let v = value.map_or(String::new(), |v| {
        format!(" AND {a}.value = {}", c.q.text(v))
    });
    format!(
        "EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = 'DocumentReference' \
         AND {a}.res_id = {id} AND {a}.kind = '{kind}'{v})"
    )
}

fn not_label(c: &mut Compiler, id: &str, label: &str) -> String {
    format!("NOT {}", doc_fact(c, id, "label", Some(label.to_owned())))
}

/// Author, médecin traitant of its record, or matrix type and not `MASQUE_PS`.
fn pro_document(c: &mut Compiler, scope: &AccessScope, t: &str, id: &str) -> String {
    let AccessScope::Professional { idnps, types, .. } = scope else {
        return "1 = 0".to_owned();
    };
    let author = doc_fact(c, id, "author", Some(idnps.clone()));
    let gp = links_any_with(c, t, id, |c, pid| record(c, pid, "gp", scope));
    let typed = match types {
        TypeRule::All => "1 = 1".to_owned(),
        TypeRule::Only(list) if list.is_empty() => "1 = 0".to_owned(),
        TypeRule::Only(list) => {
            let a = c.alias("ad");
            let marks: Vec<String> = list.iter().map(|v| c.q.text(v.clone())).collect();
            format!(
                "EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = 'DocumentReference' \
                 AND {a}.res_id = {id} AND {a}.kind = 'type' AND {a}.value IN ({}))",
                marks.join(", ")
            )
        }
    };
    let unmasked = not_label(c, id, "MASQUE_PS");
    format!("({author} OR {gp} OR ({typed} AND {unmasked}))")
}

/// Not hidden from the holder: each hiding label absent, or (INVISIBLE_PATIENT) lifted by date.
fn holder_document(c: &mut Compiler, scope: &AccessScope, id: &str) -> String {
    let AccessScope::Holder {
        lift_day,
        representative,
        ..
    } = scope
    else {
        return "1 = 0".to_owned();
    };
    let mut ands = Vec::new();
    for (label, lifts) in AccessScope::holder_labels(*representative) {
        let absent = not_label(c, id, label.code());
        if lifts {
            let a = c.alias("ad");
            let d = c.q.bind(crate::store::SqlValue::Int(*lift_day));
            ands.push(format!(
                "({absent} OR EXISTS (SELECT 1 FROM access_facts {a} WHERE {a}.res_type = 'DocumentReference' \
                 AND {a}.res_id = {id} AND {a}.kind = 'date' AND {a}.low <= {d}))"
            ));
        } else {
            ands.push(absent);
        }
    }
    ands.join(" AND ")
}

/// A Binary is visible through a visible DocumentReference pointing at it; one that no document
/// points at is visible when `unowned_visible`.
fn owned_binary(c: &mut Compiler, scope: &AccessScope, id: &str, unowned_visible: bool) -> String {
    let b = c.alias("ab");
    let doc_id = format!("{b}.res_id");
    let doc = for_type(
        c,
        scope,
        "DocumentReference",
        "'DocumentReference'",
        &doc_id,
    );
    let owned = format!(
        "EXISTS (SELECT 1 FROM access_facts {b} WHERE {b}.kind = 'binary' AND {b}.value = {id} \
         AND {b}.res_type = 'DocumentReference' AND {doc})"
    );
    if !unowned_visible {
        return owned;
    }
    let o = c.alias("ab");
    format!(
        "({owned} OR NOT EXISTS (SELECT 1 FROM access_facts {o} WHERE {o}.kind = 'binary' AND {o}.value = {id}))"
    )
}
