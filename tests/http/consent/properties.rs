//! Property-based consent tests: random DMP populations built over HTTP by the administrator,
//! random requesters, and every read path compared with an independent model of
//! `access-rules.md`.
//!
//! Each case starts its own server ([`start`]) and creates a random population: 2-3 patients (some
//! with a closed DMP), 3-5 practitioners of random professions, a médecin traitant or none per
//! patient, permits, blocks and emergency oppositions (some inactive or outside their
//! `provision.period`), 3-8 documents per patient (random type, authors, TRE_A07 labels and date)
//! and a few Observations. The creation order varies too: Consents before or after the documents,
//! and some patients only get their médecin traitant and closed status by a later update.
//!
//! Then each requester must get exactly what [`Model`] says is visible from: a patient's
//! documents (plain, `_total=accurate`, `_summary=count`, paged by 2, `_sort=-date`),
//! `Patient?_id&_revinclude`, the `subject.identifier` chain, `_has`, `Observation?subject`, the
//! `DocumentReference` type history, and reads of every Patient, DocumentReference and
//! Observation (200 when visible, 404 otherwise).
//!
//! [`Model`] is plain Rust over the generated structs, written from the specification only; it does
//! not call the server's consent engine. Dates are relative to the UTC day the case starts (the
//! server counts days in UTC too); a case straddling midnight UTC could fail spuriously.

use std::collections::BTreeSet;
use std::fmt;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reqwest::Client;
use serde_json::{Value, json};
use time::{Date, Duration, Month};

use crate::common::{TestServer, start};

use super::population::{A07, IDNPS, INS_SYSTEM, nir};

/// Cases per property (each one starts a server and creates ~40 resources).
const CASES: u32 = 12;

/// LOINC, the code system of the document types.
const LOINC: &str = "http://loinc.org";
/// v3-ActReason, the code system of the emergency purposes.
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/// CR de consultation: visible to every profession of [`PROFESSIONS`].
const CONSULTATION: &str = "11488-4";
/// Synthèse psychiatrique: denied to infirmiers and chirurgiens-dentistes.
const PSYCHIATRY: &str = "68599-0";
/// Certificat médical: denied to infirmiers only.
const CERTIFICATE: &str = "89601-9";
/// Bilan psychologique: denied to infirmiers and chirurgiens-dentistes.
const PSYCHOLOGY: &str = "83901-9";
/// A code absent from the habilitation matrix: médecins only.
const UNLISTED: &str = "99999-9";
/// The document types drawn.
const DOC_TYPES: [&str; 5] = [CONSULTATION, PSYCHIATRY, CERTIFICATE, PSYCHOLOGY, UNLISTED];

/// TRE_G15 professions drawn: médecin, pharmacien, infirmier, chirurgien-dentiste.
const PROFESSIONS: [&str; 4] = ["10", "21", "60", "40"];
/// Access modes of a professional's token.
const MODES: [&str; 3] = ["normal", "bris-de-glace", "regulation"];

// ---------------------------------------------------------------------------------------------
// The generated population
// ---------------------------------------------------------------------------------------------

/// Everything one case creates. Practitioner `i` is `Practitioner/pr<i>`, patient `i` is
/// `Patient/pa<i>` (with `RelatedPerson/rp<i>` as its representative).
#[derive(Debug, Clone)]
struct Population {
    /// The TRE_G15 profession of each practitioner.
    professions: Vec<&'static str>,
    patients: Vec<PatientSpec>,
    /// Create the Consents before the documents and Observations (else after).
    consents_first: bool,
}

/// One patient's record.
#[derive(Debug, Clone)]
struct PatientSpec {
    /// The first 13 digits of the NIR (the key is computed).
    nir13: String,
    /// `Patient.active = false`.
    closed: bool,
    /// Index of the médecin traitant.
    gp: Option<usize>,
    /// Create the Patient plain first, and set `generalPractitioner` and `active` by an update
    /// once the rest of the record exists.
    updated_later: bool,
    consents: Vec<ConsentSpec>,
    docs: Vec<DocSpec>,
    observations: usize,
}

/// What a Consent's provision says.
#[derive(Debug, Clone, Copy)]
enum Provision {
    /// `permit` naming a practitioner.
    Permit(usize),
    /// `deny` naming a practitioner.
    Block(usize),
    /// `deny` with purpose ETREAT or BTG, no actor.
    Opposition(&'static str),
}

/// A Consent of the holder.
#[derive(Debug, Clone)]
struct ConsentSpec {
    provision: Provision,
    /// `status = active` (else `inactive`).
    active: bool,
    /// `provision.period.start`, in days from today.
    start: Option<i64>,
    /// `provision.period.end`, in days from today.
    end: Option<i64>,
}

/// A DocumentReference.
#[derive(Debug, Clone)]
struct DocSpec {
    doc_type: &'static str,
    /// Indexes of the authors.
    authors: Vec<usize>,
    masked: bool,
    invisible_patient: bool,
    invisible_representatives: bool,
    date: DocDate,
}

/// A document's date, relative to today.
#[derive(Debug, Clone, Copy)]
enum DocDate {
    /// `n` days before today.
    DaysAgo(i64),
    /// The day one calendar month before today, shifted by `n` days (the R.1111-53 boundary).
    MonthAgoPlus(i64),
    /// 2019-06-15.
    Old,
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
enum Requester {
    /// Practitioner `who`, with its profession, in a mode.
    Professional {
        who: usize,
        mode: &'static str,
    },
    /// The holder of patient `i`, by INS.
    Holder(usize),
    /// The representative of patient `i` (`RelatedPerson/rp<i>`).
    Representative(usize),
    Admin,
}

/// One property case.
#[derive(Debug, Clone)]
struct Case {
    population: Population,
    requesters: Vec<Requester>,
}

fn practitioner_id(i: usize) -> String {
    format!("pr{i}")
}

fn idnps(i: usize) -> String {
    format!("8100000{i:05}")
}

fn patient_id(i: usize) -> String {
    format!("pa{i}")
}

fn doc_id(p: usize, d: usize) -> String {
    format!("pa{p}-d{d}")
}

fn observation_id(p: usize, o: usize) -> String {
    format!("pa{p}-o{o}")
}

impl PatientSpec {
    fn ins(&self) -> String {
        nir(&self.nir13)
    }
}

/// Today (UTC, as the server counts days).
fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// The same day one calendar month earlier, clamped to the month's last day.
fn one_month_before(d: Date) -> Date {
    let (year, month) = match d.month() {
        Month::January => (d.year() - 1, Month::December),
        m => (d.year(), m.previous()),
    };
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).expect("valid date")
}

fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl DocDate {
    fn day(self, today: Date) -> Date {
        match self {
            Self::DaysAgo(n) => today - Duration::days(n),
            Self::MonthAgoPlus(n) => one_month_before(today) + Duration::days(n),
            Self::Old => Date::from_calendar_date(2019, Month::June, 15).expect("valid date"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

fn doc_date() -> impl Strategy<Value = DocDate> {
    prop_oneof![
        (0i64..=40).prop_map(DocDate::DaysAgo),
        (-1i64..=1).prop_map(DocDate::MonthAgoPlus),
        Just(DocDate::Old),
    ]
}

fn doc(practitioners: usize) -> impl Strategy<Value = DocSpec> {
    (
        prop::sample::select(DOC_TYPES.to_vec()),
        prop::collection::btree_set(0..practitioners, 1..=2),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
        doc_date(),
    )
        .prop_map(
            |(doc_type, authors, masked, invisible_patient, invisible_representatives, date)| {
                DocSpec {
                    doc_type,
                    authors: authors.into_iter().collect(),
                    masked,
                    invisible_patient,
                    invisible_representatives,
                    date,
                }
            },
        )
}

/// A period bound in days from today: absent, far, near, or today itself.
fn bound(far: i64) -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(far)),
        1 => Just(Some(far.signum())),
        1 => Just(Some(0)),
    ]
}

fn consent(practitioners: usize) -> impl Strategy<Value = ConsentSpec> {
    let provision = prop_oneof![
        4 => (0..practitioners).prop_map(Provision::Permit),
        2 => (0..practitioners).prop_map(Provision::Block),
        1 => prop::sample::select(vec!["BTG", "ETREAT"]).prop_map(Provision::Opposition),
    ];
    (
        provision,
        prop::bool::weighted(0.85),
        prop_oneof![bound(-400), bound(30)],
        prop_oneof![bound(400), bound(-30)],
    )
        .prop_map(|(provision, active, a, b)| {
            // A period never ends before it starts.
            let (start, end) = match (a, b) {
                (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
                other => other,
            };
            ConsentSpec {
                provision,
                active,
                start,
                end,
            }
        })
}

fn patient(index: usize, practitioners: usize) -> impl Strategy<Value = PatientSpec> {
    (
        prop::sample::select(vec!['1', '2']),
        0u64..10_000_000_000,
        prop::bool::weighted(0.2),
        prop::option::weighted(0.7, 0..practitioners),
        any::<bool>(),
        prop::collection::vec(consent(practitioners), 1..=5),
        prop::collection::vec(doc(practitioners), 3..=8),
        0usize..=2,
    )
        .prop_map(
            move |(sex, serial, closed, gp, updated_later, consents, docs, observations)| {
                PatientSpec {
                    nir13: format!("{sex}{serial:010}{index:02}"),
                    closed,
                    gp,
                    updated_later,
                    consents,
                    docs,
                    observations,
                }
            },
        )
}

fn population() -> impl Strategy<Value = Population> {
    (3usize..=5, 2usize..=3).prop_flat_map(|(practitioners, patients)| {
        let records: Vec<_> = (0..patients).map(|i| patient(i, practitioners)).collect();
        (
            prop::collection::vec(prop::sample::select(PROFESSIONS.to_vec()), practitioners),
            records,
            any::<bool>(),
        )
            .prop_map(|(professions, patients, consents_first)| Population {
                professions,
                patients,
                consents_first,
            })
    })
}

/// `normal` half of the time, else an emergency mode.
fn mode() -> impl Strategy<Value = &'static str> {
    prop_oneof![2 => Just(MODES[0]), 1 => Just(MODES[1]), 1 => Just(MODES[2])]
}

/// A population and 3 random professionals (random practitioner, random mode).
fn professional_case() -> impl Strategy<Value = Case> {
    population().prop_flat_map(|population| {
        let n = population.professions.len();
        let requester =
            (0..n, mode()).prop_map(|(who, mode)| Requester::Professional { who, mode });
        prop::collection::vec(requester, 3).prop_map(move |requesters| Case {
            population: population.clone(),
            requesters,
        })
    })
}

/// A population, the holder and the representative of a random patient each, and an
/// administrator.
fn personal_case() -> impl Strategy<Value = Case> {
    population().prop_flat_map(|population| {
        let m = population.patients.len();
        (0..m, 0..m).prop_map(move |(holder, represented)| Case {
            population: population.clone(),
            requesters: vec![
                Requester::Holder(holder),
                Requester::Representative(represented),
                Requester::Admin,
            ],
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The model (access-rules.md)
// ---------------------------------------------------------------------------------------------

/// A professional's access to one record (rules 1-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordAccess {
    Denied,
    /// The médecin traitant: every document, masked ones included.
    Treating,
    /// Authorised or emergency access: own documents, and the matrix minus `MASQUE_PS`.
    Allowed,
}

/// What each requester may see, from the specification.
struct Model<'a> {
    population: &'a Population,
    today: Date,
}

/// The habilitation matrix restricted to [`DOC_TYPES`] × [`PROFESSIONS`]
/// (`profiles/habilitations.json`).
fn matrix_allows(profession: &str, doc_type: &str) -> bool {
    match (profession, doc_type) {
        ("10", _) => true,
        (_, UNLISTED) => false,
        ("21", _) => true,
        ("60", t) => ![PSYCHIATRY, PSYCHOLOGY, CERTIFICATE].contains(&t),
        ("40", t) => ![PSYCHIATRY, PSYCHOLOGY].contains(&t),
        _ => false,
    }
}

impl ConsentSpec {
    /// Active and today within the period (day granularity, bounds inclusive).
    fn in_force(&self) -> bool {
        self.active && self.start.is_none_or(|s| s <= 0) && self.end.is_none_or(|e| e >= 0)
    }
}

impl Model<'_> {
    /// Rules 1-6, in order: closed, médecin traitant (a block naming them has no effect), block
    /// (whatever the mode), authorisation, emergency mode without an opposition, else deny.
    fn record_access(&self, who: usize, mode: &str, p: usize) -> RecordAccess {
        let record = &self.population.patients[p];
        let in_force = || record.consents.iter().filter(|c| c.in_force());
        if record.closed {
            return RecordAccess::Denied;
        }
        if record.gp == Some(who) {
            return RecordAccess::Treating;
        }
        if in_force().any(|c| matches!(c.provision, Provision::Block(b) if b == who)) {
            return RecordAccess::Denied;
        }
        if in_force().any(|c| matches!(c.provision, Provision::Permit(a) if a == who)) {
            return RecordAccess::Allowed;
        }
        let emergency = mode == "bris-de-glace" || mode == "regulation";
        let opposed = in_force().any(|c| matches!(c.provision, Provision::Opposition(_)));
        if emergency && !opposed {
            RecordAccess::Allowed
        } else {
            RecordAccess::Denied
        }
    }

    /// `INVISIBLE_PATIENT` still hides the document: dated after the day one month before today.
    fn still_invisible_to_patient(&self, d: &DocSpec) -> bool {
        d.invisible_patient && d.date.day(self.today) > one_month_before(self.today)
    }

    fn patient_visible(&self, r: Requester, p: usize) -> bool {
        match r {
            Requester::Professional { .. } | Requester::Admin => true,
            Requester::Holder(h) | Requester::Representative(h) => h == p,
        }
    }

    fn observations_visible(&self, r: Requester, p: usize) -> bool {
        match r {
            Requester::Professional { who, mode } => {
                self.record_access(who, mode, p) != RecordAccess::Denied
            }
            Requester::Holder(h) | Requester::Representative(h) => h == p,
            Requester::Admin => true,
        }
    }

    fn doc_visible(&self, r: Requester, p: usize, d: &DocSpec) -> bool {
        match r {
            Requester::Professional { who, mode } => match self.record_access(who, mode, p) {
                RecordAccess::Denied => false,
                RecordAccess::Treating => true,
                RecordAccess::Allowed => {
                    let profession = self.population.professions[who];
                    d.authors.contains(&who) || (matrix_allows(profession, d.doc_type) && !d.masked)
                }
            },
            Requester::Holder(h) => h == p && !self.still_invisible_to_patient(d),
            Requester::Representative(h) => {
                h == p && !self.still_invisible_to_patient(d) && !d.invisible_representatives
            }
            Requester::Admin => true,
        }
    }

    /// The ids of patient `p`'s documents visible to `r`.
    fn docs(&self, r: Requester, p: usize) -> BTreeSet<String> {
        self.population.patients[p]
            .docs
            .iter()
            .enumerate()
            .filter(|(_, d)| self.doc_visible(r, p, d))
            .map(|(i, _)| doc_id(p, i))
            .collect()
    }

    /// The ids of every visible document.
    fn all_docs(&self, r: Requester) -> BTreeSet<String> {
        (0..self.population.patients.len())
            .flat_map(|p| self.docs(r, p))
            .collect()
    }

    fn observations(&self, r: Requester, p: usize) -> BTreeSet<String> {
        if !self.observations_visible(r, p) {
            return BTreeSet::new();
        }
        (0..self.population.patients[p].observations)
            .map(|o| observation_id(p, o))
            .collect()
    }

    /// The patients `_has:DocumentReference:subject:type=<doc_type>` returns to `r`.
    fn patients_having(&self, r: Requester, doc_type: &str) -> BTreeSet<String> {
        self.population
            .patients
            .iter()
            .enumerate()
            .filter(|(p, record)| {
                self.patient_visible(r, *p)
                    && record
                        .docs
                        .iter()
                        .any(|d| d.doc_type == doc_type && self.doc_visible(r, *p, d))
            })
            .map(|(p, _)| patient_id(p))
            .collect()
    }

    /// A document by id, with its patient's index.
    fn find_doc(&self, id: &str) -> Option<(usize, &DocSpec)> {
        let p = patient_of(id)?;
        let record = self.population.patients.get(p)?;
        let d = record
            .docs
            .iter()
            .enumerate()
            .find(|(d, _)| doc_id(p, *d) == id)?;
        Some((p, d.1))
    }

    /// The date of a document, by id.
    fn doc_date(&self, id: &str) -> Option<Date> {
        self.find_doc(id).map(|(_, d)| d.date.day(self.today))
    }

    /// A document's facts, for failure messages.
    fn describe_doc(&self, id: &str) -> Option<String> {
        let (_, d) = self.find_doc(id)?;
        let authors: Vec<String> = d.authors.iter().map(|a| practitioner_id(*a)).collect();
        let labels: Vec<&str> = [
            (d.masked, "MASQUE_PS"),
            (d.invisible_patient, "INVISIBLE_PATIENT"),
            (
                d.invisible_representatives,
                "INVISIBLE_REPRESENTANTS_LEGAUX",
            ),
        ]
        .into_iter()
        .filter_map(|(on, label)| on.then_some(label))
        .collect();
        Some(format!(
            "{id}: type {}, authors {authors:?}, labels {labels:?}, dated {}",
            d.doc_type,
            ymd(d.date.day(self.today))
        ))
    }

    /// A record's state, for failure messages.
    fn describe_record(&self, p: usize) -> String {
        let record = &self.population.patients[p];
        let professions: Vec<String> = self
            .population
            .professions
            .iter()
            .enumerate()
            .map(|(i, code)| format!("{}={code}", practitioner_id(i)))
            .collect();
        let consents: Vec<String> = record
            .consents
            .iter()
            .map(|c| {
                let what = match c.provision {
                    Provision::Permit(a) => format!("permit {}", practitioner_id(a)),
                    Provision::Block(b) => format!("block {}", practitioner_id(b)),
                    Provision::Opposition(code) => format!("opposition {code}"),
                };
                let state = if c.in_force() {
                    "in force"
                } else {
                    "not in force"
                };
                format!(
                    "{what} ({}, period {:?}..{:?} days, {state})",
                    if c.active { "active" } else { "inactive" },
                    c.start,
                    c.end
                )
            })
            .collect();
        format!(
            "{}: {}, médecin traitant {:?}, Consents {consents:?}; professions {professions:?}",
            patient_id(p),
            if record.closed { "closed" } else { "open" },
            record.gp.map(practitioner_id)
        )
    }
}

/// The patient index in a resource id `pa<p>…`.
fn patient_of(id: &str) -> Option<usize> {
    let digits: String = id
        .strip_prefix("pa")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl fmt::Display for Requester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Professional { who, mode } => write!(f, "professional pr{who} ({mode})"),
            Self::Holder(p) => write!(f, "holder of pa{p}"),
            Self::Representative(p) => write!(f, "representative rp{p} of pa{p}"),
            Self::Admin => write!(f, "administrator"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Creating the population over HTTP
// ---------------------------------------------------------------------------------------------

async fn put(s: &TestServer, resource: Value) {
    let path = format!(
        "{}/{}",
        resource["resourceType"].as_str().expect("resourceType"),
        resource["id"].as_str().expect("id")
    );
    let r = s.put(&path, &resource).await;
    let status = r.status();
    assert!(
        status.is_success(),
        "PUT {path}: {status} {}",
        r.text().await.unwrap_or_default()
    );
}

fn practitioner_json(i: usize) -> Value {
    json!({"resourceType": "Practitioner", "id": practitioner_id(i),
        "identifier": [{"system": IDNPS, "value": idnps(i)}],
        "name": [{"family": format!("PR{i}-FICTIF")}]})
}

/// The Patient, with (`full`) or without its médecin traitant and DMP status.
fn patient_json(p: usize, record: &PatientSpec, full: bool) -> Value {
    let mut r = json!({"resourceType": "Patient", "id": patient_id(p),
        "identifier": [{"system": INS_SYSTEM, "value": record.ins()}],
        "name": [{"family": format!("PA{p}-FICTIF")}], "gender": "female", "birthDate": "1980-05-17"});
    if full {
        r["active"] = json!(!record.closed);
        if let Some(gp) = record.gp {
            r["generalPractitioner"] =
                json!([{"reference": format!("Practitioner/{}", practitioner_id(gp))}]);
        }
    }
    r
}

fn consent_json(p: usize, c: usize, spec: &ConsentSpec, today: Date) -> Value {
    let actor = |who: usize| {
        json!([{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP"}]},
            "reference": {"reference": format!("Practitioner/{}", practitioner_id(who))}}])
    };
    let mut provision = match spec.provision {
        Provision::Permit(who) => json!({"type": "permit", "actor": actor(who)}),
        Provision::Block(who) => json!({"type": "deny", "actor": actor(who)}),
        Provision::Opposition(code) => {
            json!({"type": "deny", "purpose": [{"system": ACT_REASON, "code": code}]})
        }
    };
    let mut period = serde_json::Map::new();
    if let Some(start) = spec.start {
        period.insert("start".into(), json!(ymd(today + Duration::days(start))));
    }
    if let Some(end) = spec.end {
        period.insert("end".into(), json!(ymd(today + Duration::days(end))));
    }
    if !period.is_empty() {
        provision["period"] = Value::Object(period);
    }
    json!({"resourceType": "Consent", "id": format!("pa{p}-c{c}"),
        "status": if spec.active { "active" } else { "inactive" },
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": format!("Patient/{}", patient_id(p))},
        "policyRule": {"text": "DMP"}, "provision": provision})
}

fn doc_json(p: usize, d: usize, spec: &DocSpec, today: Date) -> Value {
    let labels: Vec<Value> = [
        (spec.masked, "MASQUE_PS"),
        (spec.invisible_patient, "INVISIBLE_PATIENT"),
        (
            spec.invisible_representatives,
            "INVISIBLE_REPRESENTANTS_LEGAUX",
        ),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, code)| json!({"coding": [{"system": A07, "code": code}]}))
    .collect();
    let authors: Vec<Value> = spec
        .authors
        .iter()
        .map(|a| json!({"reference": format!("Practitioner/{}", practitioner_id(*a))}))
        .collect();
    let mut r = json!({"resourceType": "DocumentReference", "id": doc_id(p, d), "status": "current",
        "type": {"coding": [{"system": LOINC, "code": spec.doc_type}]},
        "subject": {"reference": format!("Patient/{}", patient_id(p))},
        "date": format!("{}T10:00:00+01:00", ymd(spec.date.day(today))),
        "author": authors,
        "content": [{"attachment": {"contentType": "text/plain", "data": "Q1I="}}]});
    if !labels.is_empty() {
        r["securityLabel"] = json!(labels);
    }
    r
}

fn observation_json(p: usize, o: usize) -> Value {
    json!({"resourceType": "Observation", "id": observation_id(p, o), "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "8867-4"}]},
        "subject": {"reference": format!("Patient/{}", patient_id(p))},
        "valueQuantity": {"value": 60 + o, "unit": "/min"}})
}

/// Creates the population with the administrator's client, in the order it describes.
async fn create(s: &TestServer, population: &Population, today: Date) {
    for i in 0..population.professions.len() {
        put(s, practitioner_json(i)).await;
    }
    for (p, record) in population.patients.iter().enumerate() {
        put(s, patient_json(p, record, !record.updated_later)).await;
        put(
            s,
            json!({"resourceType": "RelatedPerson", "id": format!("rp{p}"),
                "patient": {"reference": format!("Patient/{}", patient_id(p))},
                "name": [{"family": format!("RP{p}-FICTIF")}]}),
        )
        .await;
    }
    if population.consents_first {
        create_consents(s, population, today).await;
    }
    for (p, record) in population.patients.iter().enumerate() {
        for (d, spec) in record.docs.iter().enumerate() {
            put(s, doc_json(p, d, spec, today)).await;
        }
        for o in 0..record.observations {
            put(s, observation_json(p, o)).await;
        }
    }
    if !population.consents_first {
        create_consents(s, population, today).await;
    }
    for (p, record) in population.patients.iter().enumerate() {
        if record.updated_later {
            put(s, patient_json(p, record, true)).await;
        }
    }
}

async fn create_consents(s: &TestServer, population: &Population, today: Date) {
    for (p, record) in population.patients.iter().enumerate() {
        for (c, spec) in record.consents.iter().enumerate() {
            put(s, consent_json(p, c, spec, today)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checking the server against the model
// ---------------------------------------------------------------------------------------------

/// Checks one requester's view of a population.
struct Check<'a> {
    s: &'a TestServer,
    model: Model<'a>,
    requester: Requester,
    client: Client,
}

/// The ids of the entries of `bundle` holding a `resource_type`, in order (duplicates kept).
fn entry_ids(bundle: &Value, resource_type: &str) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"]["resourceType"] == resource_type)
        .filter_map(|e| e["resource"]["id"].as_str().map(str::to_owned))
        .collect()
}

/// The `next` link of a search set.
fn next_link(bundle: &Value) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == "next")?["url"]
        .as_str()
        .map(str::to_owned)
}

/// `ids` as a sorted list, so that duplicates show when compared with a set.
fn sorted(ids: &BTreeSet<String>) -> Vec<String> {
    ids.iter().cloned().collect()
}

impl Check<'_> {
    fn new<'a>(s: &'a TestServer, model: Model<'a>, requester: Requester) -> Check<'a> {
        let token = match requester {
            Requester::Professional { who, mode } => s.token(&[
                "--professional",
                &idnps(who),
                "--profession",
                model.population.professions[who],
                "--mode",
                mode,
            ]),
            Requester::Holder(p) => {
                let ins = model.population.patients[p].ins();
                s.token(&["--patient", &format!("{INS_SYSTEM}|{ins}")])
            }
            Requester::Representative(p) => s.token(&["--representative", &format!("rp{p}")]),
            Requester::Admin => s.token(&["--admin"]),
        };
        Check {
            s,
            model,
            requester,
            client: s.client(&token),
        }
    }

    /// A failure naming the requester and the request, with the facts of the resources `ids`
    /// and of their records.
    fn fail_on(
        &self,
        query: &str,
        what: impl fmt::Display,
        ids: &BTreeSet<String>,
    ) -> TestCaseError {
        let mut lines = vec![format!("{} — GET {query}: {what}", self.requester)];
        lines.extend(ids.iter().filter_map(|id| self.model.describe_doc(id)));
        let records: BTreeSet<usize> = ids.iter().filter_map(|id| patient_of(id)).collect();
        lines.extend(records.into_iter().map(|p| self.model.describe_record(p)));
        TestCaseError::fail(lines.join("\n    "))
    }

    /// A failure naming the requester and the request.
    fn fail(&self, query: &str, what: impl fmt::Display) -> TestCaseError {
        self.fail_on(query, what, &BTreeSet::new())
    }

    /// Fails unless `got` (sorted, duplicates kept) is exactly `expected`.
    fn same(
        &self,
        query: &str,
        mut got: Vec<String>,
        expected: &BTreeSet<String>,
    ) -> Result<(), TestCaseError> {
        got.sort();
        if got == sorted(expected) {
            return Ok(());
        }
        let got_set: BTreeSet<String> = got.iter().cloned().collect();
        let differing: BTreeSet<String> = got_set.symmetric_difference(expected).cloned().collect();
        let what = format!(
            "expected {expected:?}, got {got:?} (missing {:?}, unexpected {:?})",
            expected.difference(&got_set).collect::<Vec<_>>(),
            got_set.difference(expected).collect::<Vec<_>>()
        );
        Err(self.fail_on(query, what, &differing))
    }

    /// GET `path`; its status.
    async fn status(&self, path: &str) -> u16 {
        let r = self
            .client
            .get(self.s.url(path))
            .send()
            .await
            .expect("send");
        r.status().as_u16()
    }

    /// GET a search or history answering 200; its Bundle.
    async fn bundle_at(&self, query: &str, url: &str) -> Result<Value, TestCaseError> {
        let r = self.client.get(url).send().await.expect("send");
        let status = r.status();
        let body = r.text().await.expect("body");
        if status != 200 {
            return Err(self.fail(query, format!("status {status}: {body}")));
        }
        serde_json::from_str(&body).map_err(|e| self.fail(query, format!("not JSON: {e}")))
    }

    async fn bundle(&self, query: &str) -> Result<Value, TestCaseError> {
        self.bundle_at(query, &self.s.url(query)).await
    }

    /// Every check for this requester.
    async fn run(&self) -> Result<(), TestCaseError> {
        let patients = self.model.population.patients.len();
        for p in 0..patients {
            self.documents_of(p).await?;
            self.related_searches(p).await?;
        }
        for doc_type in DOC_TYPES {
            let query = format!("Patient?_has:DocumentReference:subject:type={doc_type}");
            let b = self.bundle(&query).await?;
            let expected = self.model.patients_having(self.requester, doc_type);
            self.same(&query, entry_ids(&b, "Patient"), &expected)?;
        }
        self.history().await?;
        self.reads().await
    }

    /// `DocumentReference?patient=`: plain, totals, paging and sort.
    async fn documents_of(&self, p: usize) -> Result<(), TestCaseError> {
        let expected = self.model.docs(self.requester, p);
        let base = format!("DocumentReference?patient=Patient/{}", patient_id(p));

        let query = format!("{base}&_count=200");
        let b = self.bundle(&query).await?;
        self.same(&query, entry_ids(&b, "DocumentReference"), &expected)?;

        for query in [
            format!("{base}&_total=accurate&_count=200"),
            format!("{base}&_summary=count"),
        ] {
            let b = self.bundle(&query).await?;
            let total = b["total"].as_u64();
            if total != Some(expected.len() as u64) {
                return Err(self.fail(
                    &query,
                    format!(
                        "total {total:?}, expected {} ({expected:?})",
                        expected.len()
                    ),
                ));
            }
            if query.ends_with("_summary=count") {
                self.same(&query, entry_ids(&b, "DocumentReference"), &BTreeSet::new())?;
            } else {
                self.same(&query, entry_ids(&b, "DocumentReference"), &expected)?;
            }
        }

        let query = format!("{base}&_count=2");
        let mut url = self.s.url(&query);
        let mut seen = Vec::new();
        for _ in 0..=expected.len() {
            let b = self.bundle_at(&query, &url).await?;
            seen.extend(entry_ids(&b, "DocumentReference"));
            match next_link(&b) {
                Some(next) => url = next,
                None => break,
            }
        }
        self.same(&format!("{query} (all pages)"), seen, &expected)?;

        let query = format!("{base}&_sort=-date&_count=200");
        let b = self.bundle(&query).await?;
        let ids = entry_ids(&b, "DocumentReference");
        self.same(&query, ids.clone(), &expected)?;
        let dates: Vec<Option<Date>> = ids.iter().map(|id| self.model.doc_date(id)).collect();
        if dates.windows(2).any(|w| w[0] < w[1]) {
            return Err(self.fail(&query, format!("not newest first: {ids:?} dated {dates:?}")));
        }
        Ok(())
    }

    /// `_revinclude`, the chain on the subject's INS, and the patient's Observations.
    async fn related_searches(&self, p: usize) -> Result<(), TestCaseError> {
        let id = patient_id(p);
        let expected = self.model.docs(self.requester, p);

        let query = format!("Patient?_id={id}&_revinclude=DocumentReference:subject&_count=200");
        let b = self.bundle(&query).await?;
        let patient: BTreeSet<String> = if self.model.patient_visible(self.requester, p) {
            [id.clone()].into()
        } else {
            BTreeSet::new()
        };
        self.same(&query, entry_ids(&b, "Patient"), &patient)?;
        self.same(&query, entry_ids(&b, "DocumentReference"), &expected)?;

        let ins = self.model.population.patients[p].ins();
        let query = format!("DocumentReference?subject.identifier={INS_SYSTEM}|{ins}&_count=200");
        let b = self.bundle(&query).await?;
        self.same(&query, entry_ids(&b, "DocumentReference"), &expected)?;

        let query = format!("Observation?subject=Patient/{id}&_count=200");
        let b = self.bundle(&query).await?;
        let observations = self.model.observations(self.requester, p);
        self.same(&query, entry_ids(&b, "Observation"), &observations)
    }

    /// The DocumentReference type history shows exactly the visible documents (one version each).
    async fn history(&self) -> Result<(), TestCaseError> {
        let query = "DocumentReference/_history?_count=1000";
        let b = self.bundle(query).await?;
        let expected = self.model.all_docs(self.requester);
        self.same(query, entry_ids(&b, "DocumentReference"), &expected)
    }

    /// Reads of every resource of the records: 200 when visible, 404 otherwise.
    async fn reads(&self) -> Result<(), TestCaseError> {
        let r = self.requester;
        for (p, record) in self.model.population.patients.iter().enumerate() {
            let mut paths = vec![(
                format!("Patient/{}", patient_id(p)),
                self.model.patient_visible(r, p),
            )];
            for (d, spec) in record.docs.iter().enumerate() {
                paths.push((
                    format!("DocumentReference/{}", doc_id(p, d)),
                    self.model.doc_visible(r, p, spec),
                ));
            }
            for o in 0..record.observations {
                paths.push((
                    format!("Observation/{}", observation_id(p, o)),
                    self.model.observations_visible(r, p),
                ));
            }
            // Concurrently: the audit sink commits concurrent requests together.
            let statuses =
                futures::future::join_all(paths.iter().map(|(path, _)| self.status(path))).await;
            for ((path, visible), got) in paths.iter().zip(statuses) {
                let expected = if *visible { 200 } else { 404 };
                if got != expected {
                    let id = path.rsplit('/').next().unwrap_or_default().to_owned();
                    let what = format!("expected {expected}, got {got}");
                    return Err(self.fail_on(path, what, &[id].into()));
                }
            }
        }
        Ok(())
    }
}

/// One case: a fresh server, the population, every requester's checks.
fn run_case(case: &Case) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async {
        let s = start().await;
        let today = today();
        create(&s, &case.population, today).await;
        for &requester in &case.requesters {
            let model = Model {
                population: &case.population,
                today,
            };
            Check::new(&s, model, requester).run().await?;
        }
        Ok(())
    })
}

/// Few cases (each starts a server); no regression file; shrinking bounded to 90 s (each step
/// starts a server too).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 100,
        max_shrink_time: 90_000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Professionals in every mode see exactly what rules 1-6, the matrix and the masks allow.
    #[test]
    fn professionals_see_exactly_what_the_rules_allow(case in professional_case()) {
        run_case(&case)?;
    }

    /// Holders, representatives and administrators see exactly their share of the records.
    #[test]
    fn holders_representatives_and_administrators_see_exactly_their_share(case in personal_case()) {
        run_case(&case)?;
    }
}
