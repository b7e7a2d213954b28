//! Scenario tests for the record-level rules 1-6. Each test name says which rule it guards: it
//! fails if that rule is removed or moved.

use super::personas::*;
use super::*;

const READ_OBS: Action = Action::Read(ResourceKind::Clinical);

#[test]
fn rule1_closed_record_denies_even_the_medecin_traitant() {
    let closed = RecordFacts {
        closed: true,
        ..record()
    };
    let d = on_record(&pro(medecin_traitant()), &closed, READ_OBS);
    assert_eq!(d, Decision::Deny(Rule::ClosedRecord));
    let write = on_record(
        &pro(cardiologist()),
        &closed,
        Action::Write(ResourceKind::DocumentReference),
    );
    assert_eq!(write, Decision::Deny(Rule::ClosedRecord));
    let glass = on_record(&pro(stranger(AccessMode::BreakGlass)), &closed, READ_OBS);
    assert_eq!(glass, Decision::Deny(Rule::ClosedRecord));
}

#[test]
fn rule1_closed_record_stays_readable_by_the_patient_not_writable() {
    let closed = RecordFacts {
        closed: true,
        ..record()
    };
    assert!(on_record(&patient(), &closed, READ_OBS).is_permit());
    assert!(on_doc(&patient(), &closed, &doc(CR_CONSULTATION), read_doc()).is_permit());
    let write = on_record(
        &patient(),
        &closed,
        Action::Write(ResourceKind::DocumentReference),
    );
    assert_eq!(write, Decision::Deny(Rule::ClosedRecord));
}

#[test]
fn rule2_medecin_traitant_is_allowed_without_any_consent() {
    let r = RecordFacts {
        consents: vec![],
        ..record()
    };
    assert_eq!(
        basis(on_record(&pro(medecin_traitant()), &r, READ_OBS)),
        Some(Basis::MedecinTraitant)
    );
}

#[test]
fn rule2_a_block_naming_the_current_medecin_traitant_has_no_effect() {
    let mut r = record();
    r.consents.push(rule(ConsentKind::Block, &[MT]));
    assert_eq!(
        basis(on_record(&pro(medecin_traitant()), &r, READ_OBS)),
        Some(Basis::MedecinTraitant)
    );
    // Once they no longer hold the role, the block applies.
    r.medecins_traitants.clear();
    assert_eq!(
        on_record(&pro(medecin_traitant()), &r, READ_OBS),
        Decision::Deny(Rule::Blocked)
    );
}

#[test]
fn rule3_block_beats_authorisation() {
    let d = on_record(
        &pro(blocked_professional(AccessMode::Normal)),
        &record(),
        READ_OBS,
    );
    assert_eq!(d, Decision::Deny(Rule::Blocked));
}

#[test]
fn rule3_block_beats_break_glass_and_regulation() {
    for mode in [AccessMode::BreakGlass, AccessMode::Regulation] {
        let d = on_record(&pro(blocked_professional(mode)), &record(), READ_OBS);
        assert_eq!(d, Decision::Deny(Rule::Blocked), "{mode:?}");
    }
}

#[test]
fn rule3_block_by_organisation_reaches_its_members_and_expires_with_its_period() {
    let org = OrgId {
        system: "urn:oid:1.2.250.1.71.4.2.2".into(),
        value: "1750000000".into(),
    };
    let member = Professional {
        organisation: Some(org.clone()),
        ..cardiologist()
    };
    let mut r = record();
    r.consents.push(ConsentRule {
        kind: ConsentKind::Block,
        parties: vec![Party::Organisation(org)],
        period: Period {
            start: None,
            end: Some(day(2026, 3, 14)),
        },
    });
    let at = |now| decide(&pro(member.clone()), &r, &Target::Record, READ_OBS, now);
    assert_eq!(at(day(2026, 3, 1)), Decision::Deny(Rule::Blocked));
    assert!(at(day(2026, 3, 15)).is_permit());
}

#[test]
fn rule4_authorised_cardiologist_reads_the_record() {
    let d = on_record(&pro(cardiologist()), &record(), READ_OBS);
    assert_eq!(basis(d), Some(Basis::Authorised));
    if let Decision::Permit(p) = d {
        assert!(!p.must_notify());
    }
}

#[test]
fn rule4_authorisation_outside_its_period_does_not_count() {
    let mut r = record();
    r.consents = vec![ConsentRule {
        period: Period {
            start: Some(day(2026, 4, 1)),
            end: None,
        },
        ..rule(ConsentKind::Authorisation, &[CARDIO])
    }];
    assert_eq!(
        on_record(&pro(cardiologist()), &r, READ_OBS),
        Decision::Deny(Rule::NoAuthorisation)
    );
}

#[test]
fn rule5_break_glass_is_allowed_and_flagged_for_notification() {
    let d = on_record(&pro(stranger(AccessMode::BreakGlass)), &record(), READ_OBS);
    let Decision::Permit(p) = d else {
        panic!("{d:?}")
    };
    assert_eq!(
        (p.basis, p.emergency),
        (Basis::Emergency, Some(AccessMode::BreakGlass))
    );
    assert!(p.must_notify());
}

#[test]
fn rule5_samu_regulator_is_allowed_and_flagged() {
    let d = on_record(&pro(samu_regulator()), &record(), READ_OBS);
    let Decision::Permit(p) = d else {
        panic!("{d:?}")
    };
    assert_eq!(p.emergency, Some(AccessMode::Regulation));
}

#[test]
fn rule5_emergency_opposition_denies_break_glass_and_regulation() {
    let mut r = record();
    r.consents.push(rule(ConsentKind::EmergencyOpposition, &[]));
    for p in [stranger(AccessMode::BreakGlass), samu_regulator()] {
        assert_eq!(
            on_record(&pro(p), &r, READ_OBS),
            Decision::Deny(Rule::EmergencyOpposed)
        );
    }
    // The opposition does not touch ordinary authorisations.
    assert!(on_record(&pro(cardiologist()), &r, READ_OBS).is_permit());
}

#[test]
fn rule5_emergency_flag_follows_document_reads_and_feeding() {
    let glass = pro(stranger(AccessMode::BreakGlass));
    let d = on_doc(&glass, &record(), &doc(CR_CONSULTATION), read_doc());
    assert!(matches!(
        d,
        Decision::Permit(Permit {
            basis: Basis::Matrix,
            emergency: Some(_)
        })
    ));
    let w = on_record(
        &glass,
        &record(),
        Action::Write(ResourceKind::DocumentReference),
    );
    assert!(matches!(
        w,
        Decision::Permit(Permit {
            emergency: Some(_),
            ..
        })
    ));
}

#[test]
fn rule4_before_rule5_authorised_professional_in_emergency_mode_is_not_flagged() {
    let p = Professional {
        mode: AccessMode::BreakGlass,
        ..cardiologist()
    };
    let d = on_record(&pro(p), &record(), READ_OBS);
    assert!(matches!(
        d,
        Decision::Permit(Permit {
            basis: Basis::Authorised,
            emergency: None
        })
    ));
}

#[test]
fn rule6_professional_without_authorisation_is_denied() {
    let d = on_record(&pro(stranger(AccessMode::Normal)), &record(), READ_OBS);
    assert_eq!(d, Decision::Deny(Rule::NoAuthorisation));
    assert!(!Rule::NoAuthorisation.hides());
}

#[test]
fn patient_resource_is_readable_by_any_professional_even_blocked_or_closed() {
    let closed = RecordFacts {
        closed: true,
        ..record()
    };
    let read = Action::Read(ResourceKind::Patient);
    assert!(
        on_record(
            &pro(blocked_professional(AccessMode::Normal)),
            &record(),
            read
        )
        .is_permit()
    );
    assert!(on_record(&pro(stranger(AccessMode::Normal)), &closed, read).is_permit());
    let write = on_record(
        &pro(medecin_traitant()),
        &record(),
        Action::Write(ResourceKind::Patient),
    );
    assert_eq!(write, Decision::Deny(Rule::NotGranted));
}

#[test]
fn patient_and_representative_of_another_record_are_denied() {
    let other = Actor::Patient(other_ins());
    assert_eq!(
        on_record(&other, &record(), READ_OBS),
        Decision::Deny(Rule::NotHolder)
    );
    let rep = Actor::LegalRepresentative {
        related_person: "x".into(),
        patient: other_ins(),
    };
    assert_eq!(
        on_record(&rep, &record(), READ_OBS),
        Decision::Deny(Rule::NotHolder)
    );
}

#[test]
fn system_client_reads_and_writes_only_within_its_scopes() {
    let feeder = Actor::System {
        client_id: "eai".into(),
        scopes: vec![Scope::parse("system/DocumentReference.write").unwrap()],
    };
    assert!(
        on_record(
            &feeder,
            &record(),
            Action::Write(ResourceKind::DocumentReference)
        )
        .is_permit()
    );
    let read = on_doc(&feeder, &record(), &doc(CR_CONSULTATION), read_doc());
    assert_eq!(read, Decision::Deny(Rule::ScopeMissing));
    let reader = Actor::System {
        client_id: "sync".into(),
        scopes: vec![Scope::parse("system/*.read").unwrap()],
    };
    let masked = labelled(doc(CR_CONSULTATION), Label::MasquePs);
    assert!(on_doc(&reader, &record(), &doc(CR_CONSULTATION), read_doc()).is_permit());
    assert!(!visible(&reader, &record(), &masked, now()));
    let consents = on_record(&reader, &record(), Action::Read(ResourceKind::Consent));
    assert_eq!(consents, Decision::Deny(Rule::ConsentReadNotAllowed));
}
