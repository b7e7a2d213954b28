//! Scenario tests for writes and for Consent / AuditEvent access. Each name says what it guards.

use super::personas::*;
use super::*;

fn own_doc_of(id: &str) -> DocumentFacts {
    let mut d = doc(CR_CONSULTATION);
    d.authors = [idnps(id)].into();
    d
}

#[test]
fn mask_by_the_patient_on_any_document() {
    for a in [Action::Mask, Action::Unmask] {
        assert_eq!(
            basis(on_doc(&patient(), &record(), &doc(CR_CONSULTATION), a)),
            Some(Basis::Holder)
        );
    }
}

#[test]
fn mask_by_the_author_on_own_documents_only() {
    let own = own_doc_of(NURSE);
    assert_eq!(
        basis(on_doc(&pro(nurse()), &record(), &own, Action::Mask)),
        Some(Basis::Author)
    );
    let other = on_doc(
        &pro(nurse()),
        &record(),
        &doc(CR_CONSULTATION),
        Action::Mask,
    );
    assert_eq!(other, Decision::Deny(Rule::MaskingNotAllowed));
}

#[test]
fn unmask_by_the_medecin_traitant_on_any_document() {
    let masked = labelled(doc(CR_CONSULTATION), Label::MasquePs);
    let d = on_doc(&pro(medecin_traitant()), &record(), &masked, Action::Unmask);
    assert_eq!(basis(d), Some(Basis::MedecinTraitant));
}

#[test]
fn mask_refused_to_representatives_admins_and_for_hidden_documents() {
    let d = doc(CR_CONSULTATION);
    assert_eq!(
        on_doc(&representative(), &record(), &d, Action::Mask),
        Decision::Deny(Rule::MaskingNotAllowed)
    );
    assert_eq!(
        on_doc(&admin(), &record(), &d, Action::Mask),
        Decision::Deny(Rule::MaskingNotAllowed)
    );
    // A masked document the nurse cannot see: unmasking answers as if it did not exist.
    let masked = labelled(d, Label::MasquePs);
    let hidden = on_doc(&pro(nurse()), &record(), &masked, Action::Unmask);
    assert_eq!(hidden, Decision::Deny(Rule::MaskedForProfessionals));
    assert_eq!(
        on_record(&patient(), &record(), Action::Mask),
        Decision::Deny(Rule::TargetMismatch)
    );
}

#[test]
fn delete_by_the_author_only_not_the_patient_nor_the_medecin_traitant() {
    let del = Action::Delete(ResourceKind::DocumentReference);
    let own = own_doc_of(NURSE);
    assert_eq!(
        basis(on_doc(&pro(nurse()), &record(), &own, del)),
        Some(Basis::Author)
    );
    for actor in [
        patient(),
        pro(medecin_traitant()),
        admin(),
        representative(),
    ] {
        assert_eq!(
            on_doc(&actor, &record(), &own, del),
            Decision::Deny(Rule::NotAuthor),
            "{actor:?}"
        );
    }
    let deposited = DocumentFacts {
        patient_authored: true,
        ..doc(CR_CONSULTATION)
    };
    assert!(on_doc(&patient(), &record(), &deposited, del).is_permit());
}

#[test]
fn feeding_needs_record_access_under_rules_1_to_6() {
    let write = Action::Write(ResourceKind::DocumentReference);
    assert!(on_record(&pro(nurse()), &record(), write).is_permit());
    assert_eq!(
        on_record(
            &pro(blocked_professional(AccessMode::Normal)),
            &record(),
            write
        ),
        Decision::Deny(Rule::Blocked)
    );
    assert_eq!(
        on_record(&pro(stranger(AccessMode::Normal)), &record(), write),
        Decision::Deny(Rule::NoAuthorisation)
    );
}

fn draft(kind: ConsentKind, parties: &[&str]) -> ConsentDraft {
    ConsentDraft {
        change: ConsentChange::Create,
        rule: rule(kind, parties),
    }
}

fn write_consent(actor: &Actor, d: &ConsentDraft) -> Decision {
    decide(
        actor,
        &record(),
        &Target::Consent(d),
        Action::Write(ResourceKind::Consent),
        now(),
    )
}

#[test]
fn consent_written_by_patient_and_representatives_of_any_kind() {
    for actor in [patient(), representative()] {
        assert!(write_consent(&actor, &draft(ConsentKind::Block, &[CARDIO])).is_permit());
        assert!(write_consent(&actor, &draft(ConsentKind::EmergencyOpposition, &[])).is_permit());
    }
}

#[test]
fn consent_professional_records_only_a_permit_naming_themself() {
    let newcomer = pro(stranger(AccessMode::Normal));
    let own = draft(ConsentKind::Authorisation, &[STRANGER]);
    assert_eq!(
        basis(write_consent(&newcomer, &own)),
        Some(Basis::AuthorisationAtConsultation)
    );
    for bad in [
        draft(ConsentKind::Authorisation, &[CARDIO]),
        draft(ConsentKind::Authorisation, &[STRANGER, CARDIO]),
        draft(ConsentKind::Block, &[CARDIO]),
        ConsentDraft {
            change: ConsentChange::Update,
            ..own.clone()
        },
    ] {
        assert_eq!(
            write_consent(&newcomer, &bad),
            Decision::Deny(Rule::ConsentWriteNotAllowed)
        );
    }
    let blocked = pro(blocked_professional(AccessMode::Normal));
    assert_eq!(
        write_consent(&blocked, &draft(ConsentKind::Authorisation, &[BLOCKED])),
        Decision::Deny(Rule::Blocked)
    );
    let withdraw = on_record(
        &pro(medecin_traitant()),
        &record(),
        Action::Delete(ResourceKind::Consent),
    );
    assert_eq!(withdraw, Decision::Deny(Rule::ConsentWriteNotAllowed));
}

#[test]
fn consent_read_by_patient_representatives_medecin_traitant_and_admins_only() {
    let read = Action::Read(ResourceKind::Consent);
    for actor in [
        patient(),
        representative(),
        pro(medecin_traitant()),
        admin(),
    ] {
        assert!(on_record(&actor, &record(), read).is_permit(), "{actor:?}");
    }
    assert_eq!(
        on_record(&pro(cardiologist()), &record(), read),
        Decision::Deny(Rule::ConsentReadNotAllowed)
    );
}

#[test]
fn audit_event_read_by_patient_representatives_and_admins_only() {
    let read = Action::Search(ResourceKind::AuditEvent);
    for actor in [patient(), representative(), admin()] {
        assert!(on_record(&actor, &record(), read).is_permit(), "{actor:?}");
    }
    assert_eq!(
        on_record(&pro(medecin_traitant()), &record(), read),
        Decision::Deny(Rule::AuditReadNotAllowed)
    );
}

#[test]
fn audit_events_are_append_only_for_everyone_administrators_included() {
    for action in [
        Action::Write(ResourceKind::AuditEvent),
        Action::Delete(ResourceKind::AuditEvent),
    ] {
        for actor in [admin(), patient(), pro(medecin_traitant())] {
            assert_eq!(
                on_record(&actor, &record(), action),
                Decision::Deny(Rule::AuditAppendOnly)
            );
        }
    }
}
