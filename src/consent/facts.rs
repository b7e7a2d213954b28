//! The facts the engine decides on: one patient's record and one document, already parsed.
//! Extraction from FHIR JSON lives in `extract_record.rs` and `extract_document.rs`.

use std::collections::BTreeSet;

use super::actor::Professional;
use super::date::Date;
use super::ids::{Idnps, Ins, OrgId, TypeCode};

/// Whom a Consent provision names (`provision.actor.reference`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// A professional, by IDNPS.
    Professional(Idnps),
    /// An organisation, meaning its care team: matches professionals acting for it.
    Organisation(OrgId),
}

impl Party {
    /// True if this party designates `pro` (same IDNPS, or the organisation `pro` acts for).
    pub fn names(&self, pro: &Professional) -> bool {
        match self {
            Self::Professional(id) => *id == pro.idnps,
            Self::Organisation(org) => pro.organisation.as_ref() == Some(org),
        }
    }
}

/// What a Consent provision means for the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentKind {
    /// `provision.type = permit` naming parties: authorisation.
    Authorisation,
    /// `provision.type = deny` naming parties: block.
    Block,
    /// `provision.type = deny` with purpose v3-ActReason ETREAT or BTG: no emergency access at all.
    EmergencyOpposition,
}

/// A validity interval (`provision.period`), inclusive at day granularity; open ends are unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    /// First valid day.
    pub start: Option<Date>,
    /// Last valid day.
    pub end: Option<Date>,
}

impl Period {
    /// True if `now` lies within the period.
    pub fn contains(&self, now: Date) -> bool {
        self.start.is_none_or(|s| s <= now) && self.end.is_none_or(|e| now <= e)
    }
}

/// One active Consent provision of the holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRule {
    /// Authorisation, block or emergency opposition.
    pub kind: ConsentKind,
    /// Named parties (empty for an emergency opposition).
    pub parties: Vec<Party>,
    /// When it applies.
    pub period: Period,
}

impl ConsentRule {
    /// True if the rule is of `kind`, in force on `now`, and names `pro`.
    fn applies(&self, kind: ConsentKind, pro: &Professional, now: Date) -> bool {
        self.kind == kind && self.period.contains(now) && self.parties.iter().any(|p| p.names(pro))
    }
}

/// Record-level state of one patient's DMP.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordFacts {
    /// The holder's INS identifiers (any of them identifies the holder).
    pub patient: Vec<Ins>,
    /// The patient closed the DMP.
    pub closed: bool,
    /// Current médecin(s) traitant(s).
    pub medecins_traitants: BTreeSet<Idnps>,
    /// Active Consent provisions of the holder (status `active`, patient = the holder).
    pub consents: Vec<ConsentRule>,
}

impl RecordFacts {
    /// True if `ins` identifies the holder.
    pub fn is_holder(&self, ins: &Ins) -> bool {
        self.patient.contains(ins)
    }

    /// True if `pro` is a current médecin traitant.
    pub fn is_medecin_traitant(&self, pro: &Professional) -> bool {
        self.medecins_traitants.contains(&pro.idnps)
    }

    /// True if a block in force on `now` names `pro` (or their organisation).
    pub fn blocks(&self, pro: &Professional, now: Date) -> bool {
        self.consents
            .iter()
            .any(|c| c.applies(ConsentKind::Block, pro, now))
    }

    /// True if an authorisation in force on `now` names `pro` (or their organisation).
    pub fn authorises(&self, pro: &Professional, now: Date) -> bool {
        self.consents
            .iter()
            .any(|c| c.applies(ConsentKind::Authorisation, pro, now))
    }

    /// True if an emergency opposition is in force on `now`.
    pub fn emergency_opposed(&self, now: Date) -> bool {
        self.consents
            .iter()
            .any(|c| c.kind == ConsentKind::EmergencyOpposition && c.period.contains(now))
    }
}

/// A TRE_A07-StatutVisibiliteDocument code carried in `DocumentReference.securityLabel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    /// `MASQUE_PS`: hidden from professionals (except authors and médecin traitant).
    MasquePs,
    /// `INVISIBLE_PATIENT`: hidden from the patient and representatives for one month.
    InvisiblePatient,
    /// `INVISIBLE_REPRESENTANTS_LEGAUX`: never visible to legal representatives.
    InvisibleRepresentantsLegaux,
    /// `MASQUE_PSOCIAL` (parsed, no rule yet).
    MasquePsocial,
    /// `MASQUE_PT` (parsed, no rule yet).
    MasquePt,
}

impl Label {
    /// Canonical TRE_A07 code system (the misspelt `Status` variant is normalised to this).
    pub const SYSTEM: &'static str = "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument";

    /// Maps a TRE_A07 code (case-insensitive: the code system is not case sensitive).
    pub fn from_code(code: &str) -> Option<Self> {
        match code.to_ascii_uppercase().as_str() {
            "MASQUE_PS" => Some(Self::MasquePs),
            "INVISIBLE_PATIENT" => Some(Self::InvisiblePatient),
            "INVISIBLE_REPRESENTANTS_LEGAUX" => Some(Self::InvisibleRepresentantsLegaux),
            "MASQUE_PSOCIAL" => Some(Self::MasquePsocial),
            "MASQUE_PT" => Some(Self::MasquePt),
            _ => None,
        }
    }

    /// The canonical code, as the store should index it.
    pub fn code(self) -> &'static str {
        match self {
            Self::MasquePs => "MASQUE_PS",
            Self::InvisiblePatient => "INVISIBLE_PATIENT",
            Self::InvisibleRepresentantsLegaux => "INVISIBLE_REPRESENTANTS_LEGAUX",
            Self::MasquePsocial => "MASQUE_PSOCIAL",
            Self::MasquePt => "MASQUE_PT",
        }
    }
}

/// `DocumentReference.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DocStatus {
    /// `current`.
    #[default]
    Current,
    /// `superseded` (replaced, or logically deleted per the PDSM4DMP index table).
    Superseded,
    /// `entered-in-error` (logically deleted per PDSM4DMP TD3.3c).
    EnteredInError,
}

/// Facts about one DocumentReference (and so its Binary and its List entries).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentFacts {
    /// The document type (first J66 coding of `type`); `None` if absent.
    pub type_code: Option<TypeCode>,
    /// Professional authors, by IDNPS.
    pub authors: BTreeSet<Idnps>,
    /// True if an author is the patient (document deposited by the holder).
    pub patient_authored: bool,
    /// Visibility labels.
    pub labels: BTreeSet<Label>,
    /// `DocumentReference.date` (deposit), the start of the INVISIBLE_PATIENT month.
    pub date: Option<Date>,
    /// Status. Not used by visibility rules: status is an ordinary search criterion.
    pub status: DocStatus,
}

impl DocumentFacts {
    /// True if `pro` is one of the authors.
    pub fn is_author(&self, pro: &Professional) -> bool {
        self.authors.contains(&pro.idnps)
    }

    /// True if the document carries `label`.
    pub fn has(&self, label: Label) -> bool {
        self.labels.contains(&label)
    }
}
