//! The write decisions: every planned write is put to the pure consent engine ([`decide`]) before
//! the commit, with the record's facts and the document's facts as stored (and, for the new
//! version, as about to be stored). One refusal refuses the whole commit.
//!
//! Mapping: a Patient write is `Write(Patient)`; a Consent write `Write(Consent)` with each rule
//! it carries as the draft (a Consent carrying no rule is judged as an ordinary record write); a
//! DocumentReference write is `Write(DocumentReference)` on the record plus `Mask` / `Unmask` on
//! the stored document when `MASQUE_PS` appears or goes; deletions are `Delete(kind)`; AuditEvents
//! are append-only and only the server writes them. Resources outside every record (Practitioner,
//! Organization, terminology…) are written by professionals, system clients and administrators.

use super::Context;
use crate::consent::{
    Action, Actor, ConsentChange, ConsentDraft, Decision, DocumentFacts, FactRow, Ins, Label,
    RecordFacts, ResourceKind, Target, decide, document_facts, record_facts,
};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{SqlQuery, WriteOp};

/// Refuses the writes the requester may not make: `Forbidden` (403) naming the rule, or
/// `NotFound` (404) when the rule is one that hides the target.
pub async fn check(ctx: &Context, writes: &[WriteOp]) -> Result<()> {
    let Some(requester) = &ctx.requester else {
        return Ok(());
    };
    for w in writes {
        if w.res_type == "AuditEvent" {
            // Only the server writes the trail (`trail.rs`, straight to the store).
            return Err(refusal(crate::consent::Rule::AuditAppendOnly, w));
        }
        if matches!(requester.actor, Actor::Administrator { .. }) {
            if w.res_type == "DocumentReference" {
                check_one(ctx, &requester.actor, w).await?;
            }
            continue;
        }
        check_one(ctx, &requester.actor, w).await?;
    }
    Ok(())
}

async fn check_one(ctx: &Context, actor: &Actor, w: &WriteOp) -> Result<()> {
    let old = stored_rows(ctx, &w.res_type, &w.id).await?;
    let new: Vec<(String, String, i64, i64)> = w
        .access
        .iter()
        .flatten()
        .map(|r| {
            let value = if r.kind == "patient" {
                &r.patient
            } else {
                &r.value
            };
            (r.kind.to_owned(), value.clone(), r.low, r.high)
        })
        .collect();
    let mut records: Vec<String> = old
        .iter()
        .chain(new.iter())
        .filter(|r| r.0 == "patient")
        .map(|r| r.1.clone())
        .collect();
    if w.res_type == "Patient" {
        records.push(w.id.clone());
    }
    records.sort();
    records.dedup();
    let kind = kind_of(&w.res_type);
    if records.is_empty() {
        return outside_records(actor, kind, w);
    }
    let today = super::today();
    for pid in &records {
        let record = record_of(ctx, pid).await?;
        for (action, target) in actions(w, kind, &old, &new, w.access.as_deref()) {
            let target = match &target {
                Judged::Record => Target::Record,
                Judged::Document(d) => Target::Document(d),
                Judged::Consent(c) => Target::Consent(c),
            };
            if let Decision::Deny(rule) = decide(actor, &record, &target, action, today) {
                return Err(refusal(rule, w));
            }
        }
    }
    Ok(())
}

/// A resource in no record: Binary, Practitioner, terminology… Holders and representatives do not
/// write them; system clients need a write scope (checked with the interaction); AuditEvents are
/// the server's.
fn outside_records(actor: &Actor, kind: ResourceKind, w: &WriteOp) -> Result<()> {
    match actor {
        Actor::Patient(_) | Actor::LegalRepresentative { .. }
            if !matches!(kind, ResourceKind::Binary | ResourceKind::DocumentReference) =>
        {
            Err(Error::new(
                ErrorKind::Forbidden,
                format!("{} {} is outside the patient's record", w.res_type, w.id),
            ))
        }
        _ => Ok(()),
    }
}

enum Judged {
    Record,
    Document(DocumentFacts),
    Consent(ConsentDraft),
}

type Rows = [(String, String, i64, i64)];

fn doc(rows: &Rows) -> DocumentFacts {
    document_facts(rows.iter().map(|r| (r.0.as_str(), r.1.as_str(), r.2)))
}

/// The engine actions a write amounts to.
fn actions(
    w: &WriteOp,
    kind: ResourceKind,
    old: &Rows,
    new: &Rows,
    access: Option<&[FactRow]>,
) -> Vec<(Action, Judged)> {
    let exists = !old.is_empty();
    if w.content.is_none() {
        let target = if kind == ResourceKind::DocumentReference {
            Judged::Document(doc(old))
        } else {
            Judged::Record
        };
        return vec![(Action::Delete(kind), target)];
    }
    match kind {
        ResourceKind::Consent => {
            let change = if exists {
                ConsentChange::Update
            } else {
                ConsentChange::Create
            };
            let drafts = consent_drafts(access.unwrap_or_default(), change);
            if drafts.is_empty() {
                return vec![(Action::Write(ResourceKind::Clinical), Judged::Record)];
            }
            drafts
                .into_iter()
                .map(|d| (Action::Write(kind), Judged::Consent(d)))
                .collect()
        }
        ResourceKind::DocumentReference => {
            let (before, after) = (doc(old), doc(new));
            let erased = |d: &DocumentFacts| d.status == crate::consent::DocStatus::EnteredInError;
            if exists && erased(&after) && !erased(&before) {
                // The logical deletion of a document (DELETE, or status set to entered-in-error).
                return vec![(Action::Delete(kind), Judged::Document(before))];
            }
            let mut out = vec![(Action::Write(kind), Judged::Record)];
            let masked = |d: &DocumentFacts| d.has(Label::MasquePs);
            if exists && masked(&before) != masked(&after) {
                let action = if masked(&after) {
                    Action::Mask
                } else {
                    Action::Unmask
                };
                out.push((action, Judged::Document(before)));
            }
            out
        }
        _ => vec![(Action::Write(kind), Judged::Record)],
    }
}

fn consent_drafts(rows: &[FactRow], change: ConsentChange) -> Vec<ConsentDraft> {
    let rows: Vec<(String, String, i64, i64)> = rows
        .iter()
        .filter(|r| r.kind != "patient")
        .map(|r| (r.kind.to_owned(), r.value.clone(), r.low, r.high))
        .collect();
    record_facts(Vec::new(), &rows)
        .consents
        .into_iter()
        .map(|rule| ConsentDraft { change, rule })
        .collect()
}

fn kind_of(ty: &str) -> ResourceKind {
    match ty {
        "Patient" => ResourceKind::Patient,
        "DocumentReference" => ResourceKind::DocumentReference,
        "Binary" => ResourceKind::Binary,
        "List" => ResourceKind::List,
        "Consent" => ResourceKind::Consent,
        "AuditEvent" => ResourceKind::AuditEvent,
        _ => ResourceKind::Clinical,
    }
}

fn refusal(rule: crate::consent::Rule, w: &WriteOp) -> Error {
    if rule.hides() {
        Error::not_found(format!("{}/{} is not known", w.res_type, w.id))
    } else {
        Error::new(
            ErrorKind::Forbidden,
            format!(
                "{} {}/{} is not permitted ({})",
                if w.content.is_none() {
                    "deleting"
                } else {
                    "writing"
                },
                w.res_type,
                w.id,
                rule.code()
            ),
        )
    }
}

/// The stored facts of `ty/id`: `(kind, value, low, high)`.
async fn stored_rows(ctx: &Context, ty: &str, id: &str) -> Result<Vec<(String, String, i64, i64)>> {
    let mut q = SqlQuery::default();
    let (a, b) = (q.text(ty), q.text(id));
    q.sql = format!(
        "SELECT kind, CASE WHEN kind = 'patient' THEN patient_id ELSE value END, low, high \
         FROM access_facts WHERE res_type = {a} AND res_id = {b}"
    );
    Ok(ctx.store.fact_rows(&q).await?)
}

/// The record facts of Patient `pid` as stored.
pub(super) async fn record_of(ctx: &Context, pid: &str) -> Result<RecordFacts> {
    let mut q = SqlQuery::default();
    let p = q.text(pid);
    q.sql = format!(
        "SELECT kind, value, low, high FROM access_facts WHERE patient_id = {p} \
         AND kind IN ('closed', 'gp', 'permit', 'block', 'oppose')"
    );
    let rows = ctx.store.fact_rows(&q).await?;
    let ins = match ctx.store.current("Patient", pid).await? {
        Some(v) if !v.deleted => {
            let patient = super::resource::parse_stored(&v)?;
            patient["identifier"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|i| i["use"].as_str() != Some("old"))
                .filter_map(|i| Ins::parse(i["system"].as_str()?, i["value"].as_str()?).ok())
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(record_facts(ins, &rows))
}
