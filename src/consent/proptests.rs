//! Property test: for random records, actors, documents and days, `visible()`, `decide(Read)`
//! and `document_filter().matches()` agree with each other and with an oracle written directly
//! from the text of access-rules.md (it uses none of the engine's rule helpers).

use proptest::prelude::*;

use super::personas::{LOINC, holder_ins, other_ins};
use super::*;

const IDS: [&str; 5] = [
    "810000000001",
    "810000000002",
    "810000000003",
    "810000000004",
    "810000000005",
];
const PROFESSIONS: [&str; 7] = ["10", "21", "40", "50", "60", "70", "99"];
/// Types the oracle knows from the spec, plus one absent from the matrix.
const TYPES: [&str; 10] = [
    "11488-4", "68599-0", "83901-9", "89601-9", "75496-0", "80788-3", "83981-1", "68817-6",
    "60593-1", "00000-0",
];
const LABELS: [Label; 3] = [
    Label::MasquePs,
    Label::InvisiblePatient,
    Label::InvisibleRepresentantsLegaux,
];

fn org(i: usize) -> OrgId {
    OrgId {
        system: "urn:oid:1.2.250.1.71.4.2.2".into(),
        value: format!("17500000{i}"),
    }
}

fn day_n(n: u16) -> Date {
    (0..n).fold(Date::new(2025, 1, 1).unwrap(), |d, _| d.succ())
}

fn party() -> impl Strategy<Value = Party> {
    prop_oneof![
        (0..IDS.len()).prop_map(|i| Party::Professional(Idnps::parse(IDS[i]).unwrap())),
        (0..2usize).prop_map(|i| Party::Organisation(org(i))),
    ]
}

fn consent_rule() -> impl Strategy<Value = ConsentRule> {
    let kind = prop_oneof![
        Just(ConsentKind::Authorisation),
        Just(ConsentKind::Block),
        Just(ConsentKind::EmergencyOpposition)
    ];
    let bound = proptest::option::of(0..500u16);
    (
        kind,
        proptest::collection::vec(party(), 0..3),
        bound.clone(),
        bound,
    )
        .prop_map(|(kind, parties, s, e)| ConsentRule {
            kind,
            parties,
            period: Period {
                start: s.map(day_n),
                end: e.map(day_n),
            },
        })
}

fn record() -> impl Strategy<Value = RecordFacts> {
    let mts = proptest::collection::btree_set(0..IDS.len(), 0..2);
    (
        any::<bool>(),
        mts,
        proptest::collection::vec(consent_rule(), 0..5),
    )
        .prop_map(|(closed, mts, consents)| RecordFacts {
            patient: vec![holder_ins()],
            closed,
            medecins_traitants: mts
                .into_iter()
                .map(|i| Idnps::parse(IDS[i]).unwrap())
                .collect(),
            consents,
        })
}

fn document() -> impl Strategy<Value = DocumentFacts> {
    let authors = proptest::collection::btree_set(0..IDS.len(), 0..2);
    let labels = proptest::collection::btree_set(0..LABELS.len(), 0..3);
    let ty = proptest::option::weighted(0.9, 0..TYPES.len());
    (
        ty,
        authors,
        any::<bool>(),
        labels,
        proptest::option::weighted(0.9, 0..500u16),
    )
        .prop_map(|(t, a, pa, l, d)| DocumentFacts {
            type_code: t.map(|i| TypeCode::new(LOINC, TYPES[i])),
            authors: a
                .into_iter()
                .map(|i| Idnps::parse(IDS[i]).unwrap())
                .collect(),
            patient_authored: pa,
            labels: l.into_iter().map(|i| LABELS[i]).collect(),
            date: d.map(day_n),
            status: DocStatus::Current,
        })
}

fn actor() -> impl Strategy<Value = Actor> {
    let mode = prop_oneof![
        Just(AccessMode::Normal),
        Just(AccessMode::BreakGlass),
        Just(AccessMode::Regulation)
    ];
    let professional = (
        0..IDS.len(),
        0..PROFESSIONS.len(),
        proptest::option::of(0..2usize),
        mode,
    )
        .prop_map(|(i, p, o, mode)| {
            Actor::Professional(Professional {
                idnps: Idnps::parse(IDS[i]).unwrap(),
                profession: ProfessionCode::parse(PROFESSIONS[p]).unwrap(),
                specialty: None,
                organisation: o.map(org),
                mode,
            })
        });
    let ins = prop_oneof![4 => Just(holder_ins()), 1 => Just(other_ins())];
    let scope = prop_oneof![
        Just("system/DocumentReference.read"),
        Just("system/*.read"),
        Just("system/DocumentReference.write"),
        Just("system/Observation.rs")
    ];
    prop_oneof![
        6 => professional,
        2 => ins.clone().prop_map(Actor::Patient),
        2 => ins.prop_map(|patient| Actor::LegalRepresentative { related_person: "rp".into(), patient }),
        1 => proptest::collection::vec(scope, 0..2).prop_map(|s| Actor::System {
            client_id: "c".into(),
            scopes: s.into_iter().map(|t| Scope::parse(t).unwrap()).collect(),
        }),
        1 => Just(Actor::Administrator { operator: "op".into() }),
    ]
}

// ---------------------------------------------------------------- oracle, from the spec text

/// "Habilitation matrix": médecins every type; nurses and dentists lose the listed types; the
/// other health professions get the project's default (allowed); unknown types and professions
/// get nothing.
fn oracle_matrix(profession: &str, ty: Option<&TypeCode>) -> bool {
    let code = ty.map(|t| t.code.as_str());
    let known = code.is_some_and(|c| c != "00000-0");
    let nurse_denied = ["75496-0", "68599-0", "83901-9", "68817-6", "89601-9"];
    let dentist_denied = ["80788-3", "75496-0", "83981-1", "83901-9", "68599-0"];
    match profession {
        "10" => true,
        "60" => known && !code.is_some_and(|c| nurse_denied.contains(&c)),
        "40" => known && !code.is_some_and(|c| dentist_denied.contains(&c)),
        "21" | "50" | "70" => known,
        _ => false,
    }
}

fn days_in(y: i32, m: u8) -> u8 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// "less than one month ago": visible again once date + 1 calendar month (clamped) <= now.
fn month_passed(date: Option<Date>, now: Date) -> bool {
    let Some(d) = date else { return false };
    let (y, m, dd) = d.ymd();
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (ny, nm, dd.min(days_in(ny, nm))) <= now.ymd()
}

/// Record-level rules 1-6 for a professional: `Some(emergency?)` when allowed.
fn oracle_record(p: &Professional, r: &RecordFacts, now: Date) -> Option<bool> {
    let in_force = |c: &ConsentRule| {
        c.period.start.is_none_or(|s| s <= now) && c.period.end.is_none_or(|e| now <= e)
    };
    let names = |c: &ConsentRule| {
        c.parties.iter().any(|x| match x {
            Party::Professional(i) => *i == p.idnps,
            Party::Organisation(o) => p.organisation.as_ref() == Some(o),
        })
    };
    let any = |k: ConsentKind, named: bool| {
        r.consents
            .iter()
            .any(|c| c.kind == k && in_force(c) && (!named || names(c)))
    };
    if r.closed {
        None
    } else if r.medecins_traitants.contains(&p.idnps) {
        Some(false)
    } else if any(ConsentKind::Block, true) {
        None
    } else if any(ConsentKind::Authorisation, true) {
        Some(false)
    } else if p.mode != AccessMode::Normal && !any(ConsentKind::EmergencyOpposition, false) {
        Some(true)
    } else {
        None
    }
}

fn oracle_visible(a: &Actor, r: &RecordFacts, d: &DocumentFacts, now: Date) -> bool {
    let has = |l: Label| d.labels.contains(&l);
    let patient_sees = !has(Label::InvisiblePatient) || month_passed(d.date, now);
    match a {
        Actor::Administrator { .. } => true,
        Actor::System { scopes, .. } => {
            let reads = scopes.iter().any(|s| {
                s.read
                    && s.resource
                        .as_deref()
                        .is_none_or(|t| t == "DocumentReference")
            });
            !r.closed && reads && !has(Label::MasquePs)
        }
        Actor::Patient(ins) => r.patient.contains(ins) && patient_sees,
        Actor::LegalRepresentative { patient, .. } => {
            r.patient.contains(patient) && patient_sees && !has(Label::InvisibleRepresentantsLegaux)
        }
        Actor::Professional(p) => {
            oracle_record(p, r, now).is_some()
                && (d.authors.contains(&p.idnps)
                    || r.medecins_traitants.contains(&p.idnps)
                    || (oracle_matrix(p.profession.as_str(), d.type_code.as_ref())
                        && !has(Label::MasquePs)))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn visible_decide_filter_and_oracle_agree(a in actor(), r in record(), d in document(), n in 0..520u16) {
        let now = day_n(n);
        let expected = oracle_visible(&a, &r, &d, now);
        prop_assert_eq!(visible(&a, &r, &d, now), expected);
        prop_assert_eq!(document_filter(&a, &r, now).matches(&d), expected);
        // A system client's Binary and List reads need their own SMART scopes; others follow the document.
        let parts: &[ResourceKind] = if matches!(a, Actor::System { .. }) {
            &[ResourceKind::DocumentReference]
        } else {
            &[ResourceKind::DocumentReference, ResourceKind::Binary, ResourceKind::List]
        };
        for &kind in parts {
            for action in [Action::Read(kind), Action::Search(kind)] {
                prop_assert_eq!(decide(&a, &r, &Target::Document(&d), action, now).is_permit(), expected);
            }
        }
    }

    #[test]
    fn record_access_and_emergency_flag_match_rules_1_to_6(a in actor(), r in record(), n in 0..520u16) {
        let now = day_n(n);
        if let Actor::Professional(p) = &a {
            let d = decide(&a, &r, &Target::Record, Action::Read(ResourceKind::Clinical), now);
            let got = match d {
                Decision::Permit(permit) => Some(permit.must_notify()),
                Decision::Deny(_) => None,
            };
            prop_assert_eq!(got, oracle_record(p, &r, now));
        }
    }
}

#[test]
fn oracle_sanity_month_passed_clamps() {
    let jan31 = Date::new(2026, 1, 31).ok();
    assert!(month_passed(jan31, Date::new(2026, 2, 28).unwrap()));
    assert!(!month_passed(jan31, Date::new(2026, 2, 27).unwrap()));
}
