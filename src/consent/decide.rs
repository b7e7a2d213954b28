//! The single entry point of the access decision: [`decide`], and [`visible`] for documents.

use super::action::{Action, ResourceKind, Target};
use super::actor::Actor;
use super::date::Date;
use super::decision::{Decision, Rule};
use super::facts::{DocumentFacts, RecordFacts};
use super::holder::{self, Side};
use super::matrix::Matrix;
use super::others;
use super::professional::{self, Ctx};

/// Decides whether `actor` may perform `action` on `target` within `record` on day `now`, with
/// the compiled-in DMP habilitation matrix. Never fails: every refusal names its [`Rule`].
pub fn decide(
    actor: &Actor,
    record: &RecordFacts,
    target: &Target<'_>,
    action: Action,
    now: Date,
) -> Decision {
    decide_with(Matrix::dmp(), actor, record, target, action, now)
}

/// [`decide`] with an explicit matrix.
///
/// Order: (a) AuditEvents are append-only for everyone; (b) the target must fit the action;
/// (c) per requester: professionals go through rules 1-6 then the document and write rules
/// (`professional.rs`), the holder and representatives through `holder.rs`, system clients and
/// administrators through `others.rs`.
pub fn decide_with(
    matrix: &Matrix,
    actor: &Actor,
    record: &RecordFacts,
    target: &Target<'_>,
    action: Action,
    now: Date,
) -> Decision {
    if let Some(rule) = universal_denial(target, action) {
        return Decision::Deny(rule);
    }
    match actor {
        Actor::Professional(pro) => {
            let ctx = Ctx {
                pro,
                record,
                matrix,
                now,
            };
            professional::decide(&ctx, target, action)
        }
        Actor::Patient(ins) => holder::decide(Side::Holder, ins, record, target, action, now),
        Actor::LegalRepresentative { patient, .. } => {
            holder::decide(Side::Representative, patient, record, target, action, now)
        }
        Actor::System { scopes, .. } => others::system(scopes, record, target, action),
        Actor::Administrator { .. } => others::administrator(action),
    }
}

/// True if `actor` may see `doc` (and its Binary, and its List entries) on `now`: exactly
/// `decide(actor, record, &Target::Document(doc), Action::Read(DocumentReference), now)` is a
/// permit, and exactly `document_filter(actor, record, now).matches(doc)`.
pub fn visible(actor: &Actor, record: &RecordFacts, doc: &DocumentFacts, now: Date) -> bool {
    let read = Action::Read(ResourceKind::DocumentReference);
    decide(actor, record, &Target::Document(doc), read, now).is_permit()
}

/// Denials that hold for every requester: AuditEvent changes, and ill-formed requests.
fn universal_denial(target: &Target<'_>, action: Action) -> Option<Rule> {
    use ResourceKind::{AuditEvent, Consent, DocumentReference};
    match (action, target) {
        (Action::Write(AuditEvent) | Action::Delete(AuditEvent), _) => Some(Rule::AuditAppendOnly),
        (
            Action::Mask | Action::Unmask | Action::Delete(DocumentReference),
            Target::Document(_),
        ) => None,
        (Action::Mask | Action::Unmask | Action::Delete(DocumentReference), _) => {
            Some(Rule::TargetMismatch)
        }
        (Action::Write(Consent), Target::Consent(_)) => None,
        (Action::Write(Consent), _) | (_, Target::Consent(_)) => Some(Rule::TargetMismatch),
        (
            Action::Read(k) | Action::Search(k) | Action::Write(k) | Action::Delete(k),
            Target::Document(_),
        ) if !k.is_document_part() => Some(Rule::TargetMismatch),
        _ => None,
    }
}
