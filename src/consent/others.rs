//! Decisions for system clients and administrators.

use super::action::{Action, ResourceKind, Target};
use super::actor::{Actor, Scope};
use super::decision::{Basis, Decision, Rule};
use super::document_rules::system_document;
use super::facts::RecordFacts;

/// A system client: only what its scopes say; never Consents or AuditEvents (their readers are
/// listed by the specification), never masking, deletion or Consent writes; nothing on a closed
/// DMP except the Patient resource.
pub(crate) fn system(
    scopes: &[Scope],
    record: &RecordFacts,
    target: &Target<'_>,
    action: Action,
) -> Decision {
    use ResourceKind::{AuditEvent, Consent, Patient};
    let (kind, write) = match action {
        Action::Read(Consent) | Action::Search(Consent) => {
            return Decision::Deny(Rule::ConsentReadNotAllowed);
        }
        Action::Read(AuditEvent) | Action::Search(AuditEvent) => {
            return Decision::Deny(Rule::AuditReadNotAllowed);
        }
        Action::Write(Consent) => return Decision::Deny(Rule::ConsentWriteNotAllowed),
        Action::Mask | Action::Unmask => return Decision::Deny(Rule::MaskingNotAllowed),
        Action::Delete(ResourceKind::DocumentReference) => return Decision::Deny(Rule::NotAuthor),
        Action::Delete(_) => return Decision::Deny(Rule::NotGranted),
        Action::Read(kind) | Action::Search(kind) => (kind, false),
        Action::Write(kind) => (kind, true),
    };
    if !Actor::system_may(scopes, kind.scope_name(), write) {
        return Decision::Deny(Rule::ScopeMissing);
    }
    if record.closed && kind != Patient {
        return Decision::Deny(Rule::ClosedRecord);
    }
    match (write, target) {
        (false, Target::Document(doc)) => match system_document(doc) {
            Ok(()) => Decision::permit(Basis::SystemScope),
            Err(rule) => Decision::Deny(rule),
        },
        _ => Decision::permit(Basis::SystemScope),
    }
}

/// An administrator: full access, always audited; except masking (patient, author, médecin
/// traitant only) and document deletion (author only), which the specification reserves.
pub(crate) fn administrator(action: Action) -> Decision {
    match action {
        Action::Mask | Action::Unmask => Decision::Deny(Rule::MaskingNotAllowed),
        Action::Delete(ResourceKind::DocumentReference) => Decision::Deny(Rule::NotAuthor),
        _ => Decision::permit(Basis::Administrator),
    }
}
