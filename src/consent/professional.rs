//! Decisions for a professional requester: record rules first, then per-resource rules.

use super::action::{Action, ConsentChange, ResourceKind, Target};
use super::actor::Professional;
use super::date::Date;
use super::decision::{Basis, Decision, Permit, Rule};
use super::document_rules::professional_document;
use super::facts::{ConsentKind, DocumentFacts, Party, RecordFacts};
use super::matrix::Matrix;
use super::record_rules::{before_authorisation, record_access};

/// Everything `decide` needs besides the action, for one professional.
pub(crate) struct Ctx<'a> {
    pub pro: &'a Professional,
    pub record: &'a RecordFacts,
    pub matrix: &'a Matrix,
    pub now: Date,
}

/// Decides `action` on `target` for a professional.
pub(crate) fn decide(ctx: &Ctx<'_>, target: &Target<'_>, action: Action) -> Decision {
    use ResourceKind::{Consent, Patient};
    match action {
        // Any authenticated professional may find the record and learn whether it is open.
        Action::Read(Patient) | Action::Search(Patient) => Decision::permit(Basis::PatientResource),
        Action::Write(Patient) | Action::Delete(Patient) => Decision::Deny(Rule::NotGranted),
        Action::Write(Consent) | Action::Delete(Consent) => consent_write(ctx, target, action),
        _ => match record_access(ctx.pro, ctx.record, ctx.now) {
            Err(rule) => Decision::Deny(rule),
            Ok(permit) => within_record(ctx, target, action, permit),
        },
    }
}

/// Per-resource rules once record access (rules 1-6) is granted by `permit`.
fn within_record(ctx: &Ctx<'_>, target: &Target<'_>, action: Action, permit: Permit) -> Decision {
    use ResourceKind::{AuditEvent, Consent, DocumentReference};
    match (action, target) {
        (Action::Read(Consent) | Action::Search(Consent), _) => consent_read(ctx, permit),
        (Action::Read(AuditEvent) | Action::Search(AuditEvent), _) => {
            Decision::Deny(Rule::AuditReadNotAllowed)
        }
        (Action::Read(_) | Action::Search(_), Target::Document(doc)) => {
            professional_document(ctx.pro, ctx.record, doc, ctx.matrix, permit)
        }
        (Action::Mask | Action::Unmask, Target::Document(doc)) => {
            on_visible(ctx, doc, permit, masking)
        }
        (Action::Delete(DocumentReference), Target::Document(doc)) => {
            on_visible(ctx, doc, permit, deletion)
        }
        (Action::Delete(_) | Action::Mask | Action::Unmask, _) => Decision::Deny(Rule::NotGranted),
        // Feeding and reading other resources: rules 1-6 suffice.
        (Action::Read(_) | Action::Search(_) | Action::Write(_), _) => Decision::Permit(permit),
    }
}

/// Consent resources are readable by the médecin traitant among professionals.
fn consent_read(ctx: &Ctx<'_>, permit: Permit) -> Decision {
    if ctx.record.is_medecin_traitant(ctx.pro) {
        Decision::Permit(Permit {
            basis: Basis::MedecinTraitant,
            ..permit
        })
    } else {
        Decision::Deny(Rule::ConsentReadNotAllowed)
    }
}

/// Applies `rule` to a document only if the professional can see it (hidden means non-existent).
fn on_visible(
    ctx: &Ctx<'_>,
    doc: &DocumentFacts,
    permit: Permit,
    rule: fn(&Ctx<'_>, &DocumentFacts) -> Result<Basis, Rule>,
) -> Decision {
    match professional_document(ctx.pro, ctx.record, doc, ctx.matrix, permit) {
        Decision::Permit(_) => match rule(ctx, doc) {
            Ok(basis) => Decision::Permit(Permit { basis, ..permit }),
            Err(denied) => Decision::Deny(denied),
        },
        hidden @ Decision::Deny(_) => hidden,
    }
}

/// Masking and unmasking: the author (own documents) or the médecin traitant (any document).
fn masking(ctx: &Ctx<'_>, doc: &DocumentFacts) -> Result<Basis, Rule> {
    if doc.is_author(ctx.pro) {
        Ok(Basis::Author)
    } else if ctx.record.is_medecin_traitant(ctx.pro) {
        Ok(Basis::MedecinTraitant)
    } else {
        Err(Rule::MaskingNotAllowed)
    }
}

/// Logical deletion: the author only.
fn deletion(ctx: &Ctx<'_>, doc: &DocumentFacts) -> Result<Basis, Rule> {
    if doc.is_author(ctx.pro) {
        Ok(Basis::Author)
    } else {
        Err(Rule::NotAuthor)
    }
}

/// A professional may record an authorisation (permit) naming only themself, as a new Consent,
/// and nothing else; rules 1-3 still apply (closed, blocked), rule 4 obviously cannot.
fn consent_write(ctx: &Ctx<'_>, target: &Target<'_>, action: Action) -> Decision {
    if let Err(rule) = before_authorisation(ctx.pro, ctx.record, ctx.now) {
        return Decision::Deny(rule);
    }
    let own_permit = matches!((action, target), (Action::Write(_), Target::Consent(draft))
        if draft.change == ConsentChange::Create
            && draft.rule.kind == ConsentKind::Authorisation
            && draft.rule.parties == [Party::Professional(ctx.pro.idnps.clone())]);
    if own_permit {
        Decision::permit(Basis::AuthorisationAtConsultation)
    } else {
        Decision::Deny(Rule::ConsentWriteNotAllowed)
    }
}
