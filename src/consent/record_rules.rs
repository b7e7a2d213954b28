//! Record-level rules for a professional: access-rules.md "Decisions", rules 1 to 6.
//!
//! The order lives in [`RECORD_RULES`] and nowhere else: each rule either answers (permit or deny)
//! or passes to the next; rule 6 is the fall-through.

use super::actor::Professional;
use super::date::Date;
use super::decision::{Basis, Permit, Rule};
use super::facts::RecordFacts;

/// A record-level answer: the permit (with its emergency flag) or the denying rule.
pub(crate) type RecordAccess = Result<Permit, Rule>;

/// One rule: `Some(answer)` if it applies, `None` to pass to the next.
type RecordRule = fn(&Professional, &RecordFacts, Date) -> Option<RecordAccess>;

/// Rules 1-5 in the specification's order; the first that answers wins.
pub(crate) const RECORD_RULES: [RecordRule; 5] = [
    rule1_closed,
    rule2_medecin_traitant,
    rule3_blocked,
    rule4_authorised,
    rule5_emergency,
];

/// Applies rules 1-6 and returns the answer for `pro` on `record` at `now`.
pub(crate) fn record_access(pro: &Professional, record: &RecordFacts, now: Date) -> RecordAccess {
    RECORD_RULES
        .iter()
        .find_map(|rule| rule(pro, record, now))
        .unwrap_or(Err(Rule::NoAuthorisation)) // rule 6
}

/// Rules 1-3 only (closed, médecin traitant, blocked): what a professional must pass to record
/// an authorisation at the consultation, before any authorisation exists (R.1111-46).
pub(crate) fn before_authorisation(
    pro: &Professional,
    record: &RecordFacts,
    now: Date,
) -> Result<(), Rule> {
    match RECORD_RULES[..3]
        .iter()
        .find_map(|rule| rule(pro, record, now))
    {
        Some(Err(rule)) => Err(rule),
        _ => Ok(()),
    }
}

fn permit(basis: Basis) -> Permit {
    Permit {
        basis,
        emergency: None,
    }
}

/// Rule 1: a closed DMP admits no professional.
fn rule1_closed(_: &Professional, record: &RecordFacts, _: Date) -> Option<RecordAccess> {
    record.closed.then_some(Err(Rule::ClosedRecord))
}

/// Rule 2: the médecin traitant is allowed; placed before rule 3 so that a block naming them has
/// no effect while they hold the role.
fn rule2_medecin_traitant(
    pro: &Professional,
    record: &RecordFacts,
    _: Date,
) -> Option<RecordAccess> {
    record
        .is_medecin_traitant(pro)
        .then(|| Ok(permit(Basis::MedecinTraitant)))
}

/// Rule 3: a blocked professional is denied, whatever the mode and whatever else applies.
fn rule3_blocked(pro: &Professional, record: &RecordFacts, now: Date) -> Option<RecordAccess> {
    record.blocks(pro, now).then_some(Err(Rule::Blocked))
}

/// Rule 4: an active authorisation Consent naming the professional (or their organisation).
fn rule4_authorised(pro: &Professional, record: &RecordFacts, now: Date) -> Option<RecordAccess> {
    record
        .authorises(pro, now)
        .then(|| Ok(permit(Basis::Authorised)))
}

/// Rule 5: break-glass or regulation, unless the patient opposed emergency access; flagged.
fn rule5_emergency(pro: &Professional, record: &RecordFacts, now: Date) -> Option<RecordAccess> {
    if !pro.mode.is_emergency() {
        return None;
    }
    if record.emergency_opposed(now) {
        return Some(Err(Rule::EmergencyOpposed));
    }
    Some(Ok(Permit {
        basis: Basis::Emergency,
        emergency: Some(pro.mode),
    }))
}
