//! The access scope of one request, as data the search SQL is built from (`search/access.rs`):
//! the same rules as [`super::decide`] and [`super::document_filter`], stated over the stored facts
//! of `stored.rs` instead of one record's facts, so one query can cover many records.

use super::actor::{AccessMode, Actor, Professional};
use super::date::Date;
use super::facts::{Label, Party};
use super::matrix::{Matrix, Row};
use super::stored::{day_number, party_key};

/// What the habilitation matrix lets a profession read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRule {
    /// Every document type.
    All,
    /// Only these `system|code` types (possibly none).
    Only(Vec<String>),
}

/// Which resources exist for the requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessScope {
    /// Everything (administrators, the server's own work).
    All,
    /// Nothing but what every authenticated requester may see (no record).
    Nothing,
    /// A professional: record rules 1-6 per record, document rules within.
    Professional {
        /// The IDNPS (authorship, médecin traitant).
        idnps: String,
        /// The parties that name them in a Consent (`pro:…`, `org:…`).
        parties: Vec<String>,
        /// The matrix row of their profession.
        types: TypeRule,
        /// Mode `bris-de-glace` or `regulation`.
        emergency: bool,
        /// Today, YYYYMMDD.
        today: i64,
    },
    /// The holder or a legal representative: their record only.
    Holder {
        /// The Patient logical ids of the holder (every Patient carrying their INS).
        patients: Vec<String>,
        /// Documents labelled `INVISIBLE_PATIENT` dated on or before this day are visible.
        lift_day: i64,
        /// A legal representative (loses `INVISIBLE_REPRESENTANTS_LEGAUX` documents).
        representative: bool,
    },
    /// A system client: records that are not closed, documents that are not `MASQUE_PS`.
    System,
}

impl Default for AccessScope {
    /// Fail closed: a scope nobody set shows nothing.
    fn default() -> Self {
        Self::Nothing
    }
}

impl AccessScope {
    /// The scope of `actor` on `today`; `patients` are the Patient ids resolved for a holder or
    /// representative (ignored otherwise).
    pub fn of(actor: &Actor, patients: Vec<String>, today: Date) -> Self {
        match actor {
            Actor::Administrator { .. } => Self::All,
            Actor::Professional(pro) => professional(pro, today),
            Actor::Patient(_) => Self::Holder {
                patients,
                lift_day: day_number(today.latest_passed(1)),
                representative: false,
            },
            Actor::LegalRepresentative { .. } => Self::Holder {
                patients,
                lift_day: day_number(today.latest_passed(1)),
                representative: true,
            },
            Actor::System { .. } => Self::System,
        }
    }

    /// The same scope in the `normal` mode: what a professional sees without the emergency.
    pub fn without_emergency(&self) -> Self {
        let mut normal = self.clone();
        if let Self::Professional { emergency, .. } = &mut normal {
            *emergency = false;
        }
        normal
    }

    /// The labels that hide a document from a holder, with whether the one-month lift applies.
    pub fn holder_labels(representative: bool) -> Vec<(Label, bool)> {
        let mut out = vec![(Label::InvisiblePatient, true)];
        if representative {
            out.push((Label::InvisibleRepresentantsLegaux, false));
        }
        out
    }
}

fn professional(pro: &Professional, today: Date) -> AccessScope {
    let mut parties = vec![party_key(&Party::Professional(pro.idnps.clone()))];
    if let Some(org) = &pro.organisation {
        parties.push(party_key(&Party::Organisation(org.clone())));
    }
    let types = match Matrix::dmp().row(&pro.profession) {
        Some(Row::AllTypes) => TypeRule::All,
        Some(Row::Only(set)) => TypeRule::Only(
            set.iter()
                .map(|t| format!("{}|{}", t.system, t.code))
                .collect(),
        ),
        None => TypeRule::Only(Vec::new()),
    };
    AccessScope::Professional {
        idnps: pro.idnps.as_str().to_owned(),
        parties,
        types,
        emergency: pro.mode != AccessMode::Normal,
        today: day_number(today),
    }
}
