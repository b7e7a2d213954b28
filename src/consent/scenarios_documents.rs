//! Scenario tests for document visibility. Each test name says which rule it guards.

use super::personas::*;
use super::*;

fn sees(p: Professional, d: &DocumentFacts) -> Decision {
    on_doc(&pro(p), &record(), d, read_doc())
}

#[test]
fn doc_author_sees_own_document_even_masked_and_outside_the_matrix() {
    let mut d = labelled(doc(SYNTHESE_PSY), Label::MasquePs);
    d.authors.insert(idnps(NURSE));
    assert_eq!(basis(sees(nurse(), &d)), Some(Basis::Author));
}

#[test]
fn doc_medecin_traitant_sees_masked_documents() {
    let masked = labelled(doc(SYNTHESE_PSY), Label::MasquePs);
    assert_eq!(
        basis(sees(medecin_traitant(), &masked)),
        Some(Basis::MedecinTraitant)
    );
    // …where another médecin, matrix notwithstanding, does not.
    let other = cardiologist_not_author();
    let d = on_doc(
        &pro(other.clone()),
        &record_with(&other),
        &masked,
        read_doc(),
    );
    assert_eq!(d, Decision::Deny(Rule::MaskedForProfessionals));
}

fn cardiologist_not_author() -> Professional {
    Professional {
        idnps: idnps("810000000099"),
        ..cardiologist()
    }
}

fn record_with(p: &Professional) -> RecordFacts {
    let mut r = record();
    r.consents
        .push(rule(ConsentKind::Authorisation, &[p.idnps.as_str()]));
    r
}

#[test]
fn doc_matrix_denies_psychiatric_synthesis_and_medical_certificate_to_nurses() {
    for t in [SYNTHESE_PSY, BILAN_PSY, CERTIFICAT] {
        assert_eq!(
            sees(nurse(), &doc(t)),
            Decision::Deny(Rule::NotHabilitated),
            "{t}"
        );
    }
    assert_eq!(
        basis(sees(nurse(), &doc(CR_CONSULTATION))),
        Some(Basis::Matrix)
    );
}

#[test]
fn doc_matrix_denies_psychological_assessment_to_dentists_but_not_certificates() {
    assert_eq!(
        sees(dentist(), &doc(BILAN_PSY)),
        Decision::Deny(Rule::NotHabilitated)
    );
    assert_eq!(
        sees(dentist(), &doc(SYNTHESE_PSY)),
        Decision::Deny(Rule::NotHabilitated)
    );
    assert!(sees(dentist(), &doc(CERTIFICAT)).is_permit());
}

#[test]
fn doc_matrix_lets_pharmacist_read_dispensation_and_medecin_every_type() {
    assert!(sees(pharmacist(), &doc(DISPENSATION)).is_permit());
    let untyped = DocumentFacts {
        type_code: None,
        ..doc(CR_CONSULTATION)
    };
    let p = cardiologist_not_author();
    assert!(on_doc(&pro(p.clone()), &record_with(&p), &untyped, read_doc()).is_permit());
    // An unknown profession has no matrix row.
    let odd = professional("810000000050", "99", AccessMode::Normal);
    let d = on_doc(
        &pro(odd.clone()),
        &record_with(&odd),
        &doc(CR_CONSULTATION),
        read_doc(),
    );
    assert_eq!(d, Decision::Deny(Rule::NotHabilitated));
}

#[test]
fn doc_masque_ps_hides_from_authorised_professionals() {
    let masked = labelled(doc(CR_CONSULTATION), Label::MasquePs);
    assert_eq!(
        sees(nurse(), &masked),
        Decision::Deny(Rule::MaskedForProfessionals)
    );
    assert!(Rule::MaskedForProfessionals.hides());
}

#[test]
fn doc_masque_ps_still_hides_in_break_glass_and_regulation() {
    let masked = labelled(doc(CR_CONSULTATION), Label::MasquePs);
    assert_eq!(
        sees(stranger(AccessMode::BreakGlass), &masked),
        Decision::Deny(Rule::MaskedForProfessionals)
    );
    assert_eq!(
        sees(samu_regulator(), &masked),
        Decision::Deny(Rule::MaskedForProfessionals)
    );
    assert!(sees(samu_regulator(), &doc(CR_CONSULTATION)).is_permit());
}

#[test]
fn doc_masque_ps_does_not_hide_from_the_patient() {
    let masked = labelled(doc(CR_CONSULTATION), Label::MasquePs);
    assert!(visible(&patient(), &record(), &masked, now()));
}

#[test]
fn doc_binary_and_list_entry_follow_document_visibility() {
    let masked = labelled(doc(CR_CONSULTATION), Label::MasquePs);
    for kind in [ResourceKind::Binary, ResourceKind::List] {
        let d = on_doc(&pro(nurse()), &record(), &masked, Action::Read(kind));
        assert_eq!(d, Decision::Deny(Rule::MaskedForProfessionals));
    }
}

#[test]
fn invisible_patient_hides_a_recent_document_from_the_patient_and_representatives() {
    let d = labelled(doc(CR_CONSULTATION), Label::InvisiblePatient); // dated 2026-01-10
    let at = |actor: &Actor, now| visible(actor, &record(), &d, now);
    assert!(!at(&patient(), day(2026, 2, 9)));
    assert!(!at(&representative(), day(2026, 2, 9)));
    // Lifted one month after its date (R.1111-53).
    assert!(at(&patient(), day(2026, 2, 10)));
    assert!(at(&representative(), day(2026, 2, 10)));
    // Professionals are not concerned by this label.
    assert!(visible(&pro(nurse()), &record(), &d, day(2026, 1, 11)));
}

#[test]
fn invisible_patient_month_is_calendar_month_clamped_and_undated_stays_hidden() {
    let mut d = labelled(doc(CR_CONSULTATION), Label::InvisiblePatient);
    d.date = Some(day(2026, 1, 31));
    assert!(!visible(&patient(), &record(), &d, day(2026, 2, 27)));
    assert!(visible(&patient(), &record(), &d, day(2026, 2, 28)));
    d.date = None;
    assert!(!visible(&patient(), &record(), &d, day(2030, 1, 1)));
}

#[test]
fn invisible_representants_legaux_hides_from_representatives_only() {
    let d = labelled(doc(CR_CONSULTATION), Label::InvisibleRepresentantsLegaux);
    assert_eq!(
        on_doc(&representative(), &record(), &d, read_doc()),
        Decision::Deny(Rule::InvisibleToRepresentatives)
    );
    assert!(visible(&patient(), &record(), &d, now()));
    assert!(visible(&pro(nurse()), &record(), &d, now()));
}

#[test]
fn administrator_sees_everything() {
    let mut d = labelled(doc(SYNTHESE_PSY), Label::MasquePs);
    d.labels.insert(Label::InvisibleRepresentantsLegaux);
    assert!(visible(&admin(), &record(), &d, now()));
    assert_eq!(
        document_filter(&admin(), &record(), now()),
        DocumentFilter::All
    );
}

#[test]
fn filter_for_nurse_is_author_or_allowed_type_and_unmasked() {
    let f = document_filter(&pro(nurse()), &record(), now());
    let DocumentFilter::AnyOf(clauses) = &f else {
        panic!("{f:?}")
    };
    assert_eq!(clauses[0], Clause(vec![Atom::AuthorIs(idnps(NURSE))]));
    let Atom::TypeIn(types) = &clauses[1].0[0] else {
        panic!("{f:?}")
    };
    assert!(types.contains(&TypeCode::new(LOINC, CR_CONSULTATION)));
    assert!(!types.contains(&TypeCode::new(LOINC, SYNTHESE_PSY)));
    assert_eq!(clauses[1].0[1], Atom::LacksLabel(Label::MasquePs));
}

#[test]
fn filter_is_none_for_denied_records_and_all_for_the_medecin_traitant() {
    let blocked = pro(blocked_professional(AccessMode::BreakGlass));
    assert_eq!(
        document_filter(&blocked, &record(), now()),
        DocumentFilter::None
    );
    assert_eq!(
        document_filter(&pro(medecin_traitant()), &record(), now()),
        DocumentFilter::All
    );
}

#[test]
fn filter_for_the_patient_lifts_invisible_patient_by_date() {
    let f = document_filter(&patient(), &record(), day(2026, 3, 31));
    let expected = DocumentFilter::AnyOf(vec![
        Clause(vec![Atom::LacksLabel(Label::InvisiblePatient)]),
        Clause(vec![Atom::DatedOnOrBefore(day(2026, 2, 28))]),
    ]);
    assert_eq!(f, expected);
}

#[test]
fn filter_date_bound_agrees_with_visible_around_every_month_end() {
    let mut now = day(2025, 12, 1);
    while now < day(2027, 4, 1) {
        let f = document_filter(&patient(), &record(), now);
        let mut date = now.minus_months(2);
        while date <= now {
            let mut d = labelled(doc(CR_CONSULTATION), Label::InvisiblePatient);
            d.date = Some(date);
            assert_eq!(
                f.matches(&d),
                visible(&patient(), &record(), &d, now),
                "{date} on {now}"
            );
            date = date.succ();
        }
        now = now.succ();
    }
}
