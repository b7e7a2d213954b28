//! Decisions for the holder (titulaire) and their legal representatives.

use super::action::{Action, ResourceKind, Target};
use super::date::Date;
use super::decision::{Basis, Decision, Rule};
use super::document_rules::{holder_document, representative_document};
use super::facts::{DocumentFacts, RecordFacts};
use super::ids::Ins;

/// Which side of the record the requester is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The holder.
    Holder,
    /// A legal representative of the holder.
    Representative,
}

impl Side {
    fn basis(self) -> Basis {
        match self {
            Self::Holder => Basis::Holder,
            Self::Representative => Basis::Representative,
        }
    }

    /// Document visibility for this side.
    fn sees(self, doc: &DocumentFacts, now: Date) -> Result<(), Rule> {
        match self {
            Self::Holder => holder_document(doc, now),
            Self::Representative => representative_document(doc, now),
        }
    }
}

/// Decides `action` for the holder or a representative of the patient identified by `ins`.
pub(crate) fn decide(
    side: Side,
    ins: &Ins,
    record: &RecordFacts,
    target: &Target<'_>,
    action: Action,
    now: Date,
) -> Decision {
    if !record.is_holder(ins) {
        return Decision::Deny(Rule::NotHolder);
    }
    let ok = Decision::permit(side.basis());
    let visible = |doc: &DocumentFacts| side.sees(doc, now);
    match (action, target) {
        (Action::Read(_) | Action::Search(_), Target::Document(doc)) => verdict(visible(doc), ok),
        // A closed DMP stays readable by the patient (and so by the representatives).
        (Action::Read(_) | Action::Search(_), _) => ok,
        // Closing and reopening the DMP is a change to the Patient resource.
        (Action::Write(ResourceKind::Patient), _) => ok,
        _ if record.closed => Decision::Deny(Rule::ClosedRecord),
        (Action::Mask | Action::Unmask, Target::Document(doc)) => match side {
            Side::Holder => verdict(visible(doc), ok),
            Side::Representative => verdict(visible(doc).and(Err(Rule::MaskingNotAllowed)), ok),
        },
        (Action::Delete(ResourceKind::DocumentReference), Target::Document(doc)) => {
            let own = side == Side::Holder && doc.patient_authored;
            verdict(
                visible(doc).and(if own { Ok(()) } else { Err(Rule::NotAuthor) }),
                ok,
            )
        }
        (Action::Delete(ResourceKind::Consent), _) => ok,
        (Action::Delete(_) | Action::Mask | Action::Unmask, _) => Decision::Deny(Rule::NotGranted),
        // Consents (all of them), and documents deposited by the patient.
        (Action::Write(_), _) => ok,
    }
}

fn verdict(check: Result<(), Rule>, ok: Decision) -> Decision {
    match check {
        Ok(()) => ok,
        Err(rule) => Decision::Deny(rule),
    }
}
