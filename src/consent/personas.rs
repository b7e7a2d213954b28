//! Test personas and builders shared by the scenario and property tests.

use std::collections::BTreeSet;

use super::*;

pub(crate) const LOINC: &str = "http://loinc.org";
pub(crate) const CR_CONSULTATION: &str = "11488-4";
pub(crate) const SYNTHESE_PSY: &str = "68599-0";
pub(crate) const BILAN_PSY: &str = "83901-9";
pub(crate) const CERTIFICAT: &str = "89601-9";
pub(crate) const DISPENSATION: &str = "60593-1";

pub(crate) fn day(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// "Today" in the scenarios.
pub(crate) fn now() -> Date {
    day(2026, 3, 15)
}

pub(crate) fn holder_ins() -> Ins {
    Ins::parse("urn:oid:1.2.250.1.213.1.4.8", "277076322082910").unwrap()
}

pub(crate) fn other_ins() -> Ins {
    Ins::parse("urn:oid:1.2.250.1.213.1.4.8", "188017512345678").unwrap()
}

pub(crate) fn idnps(v: &str) -> Idnps {
    Idnps::parse(v).unwrap()
}

pub(crate) fn professional(id: &str, profession: &str, mode: AccessMode) -> Professional {
    Professional {
        idnps: idnps(id),
        profession: ProfessionCode::parse(profession).unwrap(),
        specialty: None,
        organisation: None,
        mode,
    }
}

pub(crate) const MT: &str = "810000000001";
pub(crate) const CARDIO: &str = "810000000002";
pub(crate) const PHARMA: &str = "810000000003";
pub(crate) const NURSE: &str = "810000000004";
pub(crate) const DENTIST: &str = "810000000005";
pub(crate) const SAMU: &str = "810000000006";
pub(crate) const BLOCKED: &str = "810000000007";
pub(crate) const STRANGER: &str = "810000000008";

pub(crate) fn medecin_traitant() -> Professional {
    professional(MT, "10", AccessMode::Normal)
}
pub(crate) fn cardiologist() -> Professional {
    Professional {
        specialty: Some("SM04".into()),
        ..professional(CARDIO, "10", AccessMode::Normal)
    }
}
pub(crate) fn pharmacist() -> Professional {
    professional(PHARMA, "21", AccessMode::Normal)
}
pub(crate) fn nurse() -> Professional {
    professional(NURSE, "60", AccessMode::Normal)
}
pub(crate) fn dentist() -> Professional {
    professional(DENTIST, "40", AccessMode::Normal)
}
pub(crate) fn samu_regulator() -> Professional {
    professional(SAMU, "10", AccessMode::Regulation)
}
pub(crate) fn blocked_professional(mode: AccessMode) -> Professional {
    professional(BLOCKED, "10", mode)
}
pub(crate) fn stranger(mode: AccessMode) -> Professional {
    professional(STRANGER, "10", mode)
}

pub(crate) fn patient() -> Actor {
    Actor::Patient(holder_ins())
}
pub(crate) fn representative() -> Actor {
    Actor::LegalRepresentative {
        related_person: "mother".into(),
        patient: holder_ins(),
    }
}
pub(crate) fn admin() -> Actor {
    Actor::Administrator {
        operator: "ops1".into(),
    }
}

pub(crate) fn rule(kind: ConsentKind, parties: &[&str]) -> ConsentRule {
    ConsentRule {
        kind,
        parties: parties
            .iter()
            .map(|p| Party::Professional(idnps(p)))
            .collect(),
        period: Period::default(),
    }
}

/// An open record: médecin traitant MT; cardiologist, pharmacist, nurse, dentist authorised;
/// BLOCKED blocked (and also authorised, to show the block wins).
pub(crate) fn record() -> RecordFacts {
    RecordFacts {
        patient: vec![holder_ins()],
        closed: false,
        medecins_traitants: BTreeSet::from([idnps(MT)]),
        consents: vec![
            rule(
                ConsentKind::Authorisation,
                &[CARDIO, PHARMA, NURSE, DENTIST, BLOCKED],
            ),
            rule(ConsentKind::Block, &[BLOCKED]),
        ],
    }
}

pub(crate) fn doc(type_code: &str) -> DocumentFacts {
    DocumentFacts {
        type_code: Some(TypeCode::new(LOINC, type_code)),
        authors: BTreeSet::from([idnps(CARDIO)]),
        date: Some(day(2026, 1, 10)),
        ..DocumentFacts::default()
    }
}

pub(crate) fn labelled(mut d: DocumentFacts, label: Label) -> DocumentFacts {
    d.labels.insert(label);
    d
}

pub(crate) fn read_doc() -> Action {
    Action::Read(ResourceKind::DocumentReference)
}

pub(crate) fn on_record(actor: &Actor, record: &RecordFacts, action: Action) -> Decision {
    decide(actor, record, &Target::Record, action, now())
}

pub(crate) fn on_doc(
    actor: &Actor,
    record: &RecordFacts,
    d: &DocumentFacts,
    action: Action,
) -> Decision {
    decide(actor, record, &Target::Document(d), action, now())
}

pub(crate) fn pro(p: Professional) -> Actor {
    Actor::Professional(p)
}

pub(crate) fn basis(d: Decision) -> Option<Basis> {
    match d {
        Decision::Permit(p) => Some(p.basis),
        Decision::Deny(_) => None,
    }
}
