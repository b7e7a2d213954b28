//! The outcome of `decide`: permit (with the grounds and the emergency flag) or deny (with the
//! rule that denied, for the audit trail).

use super::actor::AccessMode;

/// Why a request was permitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The Patient resource is readable by any authenticated professional.
    PatientResource,
    /// Rule 2: médecin traitant.
    MedecinTraitant,
    /// Rule 4: active authorisation Consent.
    Authorised,
    /// Rule 5: break-glass or regulation.
    Emergency,
    /// Document rule: the professional is an author.
    Author,
    /// Document rule: the matrix allows the profession for the type, and the document is not masked.
    Matrix,
    /// A professional recording the authorisation given to them at the consultation (R.1111-46).
    AuthorisationAtConsultation,
    /// The holder.
    Holder,
    /// A legal representative of the holder.
    Representative,
    /// A system client within its scopes.
    SystemScope,
    /// An administrator (full access, always audited).
    Administrator,
}

/// A permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permit {
    /// The rule that permitted (for documents, the document-level rule).
    pub basis: Basis,
    /// `Some(mode)` if record access rests on rule 5: the access must be flagged in the
    /// AuditEvent and notified a posteriori to the patient and the médecin traitant (R.1111-48).
    pub emergency: Option<AccessMode>,
}

impl Permit {
    /// True if the access must be flagged as emergency and notified.
    pub fn must_notify(&self) -> bool {
        self.emergency.is_some()
    }
}

/// The rule that denied. `code()` is the stable identifier written in the AuditEvent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Rule 1: the DMP is closed.
    ClosedRecord,
    /// Rule 3: the patient blocked this professional.
    Blocked,
    /// Rule 5: emergency mode, but the patient opposed emergency access.
    EmergencyOpposed,
    /// Rule 6: no authorisation for this record.
    NoAuthorisation,
    /// The patient or representative is not the holder / not a representative of the holder.
    NotHolder,
    /// Document: the matrix does not allow the profession for this type.
    NotHabilitated,
    /// Document: `MASQUE_PS`, and the professional is neither author nor médecin traitant.
    MaskedForProfessionals,
    /// Document: `INVISIBLE_PATIENT` within one month of its date.
    InvisibleToPatient,
    /// Document: `INVISIBLE_REPRESENTANTS_LEGAUX`.
    InvisibleToRepresentatives,
    /// Masking / unmasking by someone other than the patient, the author or the médecin traitant.
    MaskingNotAllowed,
    /// Deletion by someone other than the author.
    NotAuthor,
    /// Consent writes beyond what the requester may record.
    ConsentWriteNotAllowed,
    /// Consent read by someone other than the patient, representatives, médecin traitant, admin.
    ConsentReadNotAllowed,
    /// AuditEvent read by someone other than the patient, representatives, admin.
    AuditReadNotAllowed,
    /// AuditEvents are append-only for everyone.
    AuditAppendOnly,
    /// A system client lacks the scope.
    ScopeMissing,
    /// No rule grants this action to this requester (e.g. deleting a non-document resource).
    NotGranted,
    /// The target does not fit the action (e.g. `Mask` without a document).
    TargetMismatch,
}

impl Rule {
    /// Stable code for the audit trail.
    pub fn code(self) -> &'static str {
        match self {
            Self::ClosedRecord => "dmp-closed",
            Self::Blocked => "professional-blocked",
            Self::EmergencyOpposed => "emergency-access-opposed",
            Self::NoAuthorisation => "no-authorisation",
            Self::NotHolder => "not-holder",
            Self::NotHabilitated => "matrix-denied",
            Self::MaskedForProfessionals => "masque-ps",
            Self::InvisibleToPatient => "invisible-patient",
            Self::InvisibleToRepresentatives => "invisible-representants-legaux",
            Self::MaskingNotAllowed => "masking-not-allowed",
            Self::NotAuthor => "not-author",
            Self::ConsentWriteNotAllowed => "consent-write-not-allowed",
            Self::ConsentReadNotAllowed => "consent-read-not-allowed",
            Self::AuditReadNotAllowed => "audit-read-not-allowed",
            Self::AuditAppendOnly => "audit-append-only",
            Self::ScopeMissing => "scope-missing",
            Self::NotGranted => "not-granted",
            Self::TargetMismatch => "target-mismatch",
        }
    }

    /// True if the denial must look like absence (404, not in results): the requester may use the
    /// record but this resource is hidden from them ("Hidden means non-existent").
    pub fn hides(self) -> bool {
        matches!(
            self,
            Self::NotHabilitated
                | Self::MaskedForProfessionals
                | Self::InvisibleToPatient
                | Self::InvisibleToRepresentatives
                | Self::ConsentReadNotAllowed
                | Self::AuditReadNotAllowed
        )
    }
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Allowed.
    Permit(Permit),
    /// Refused, by this rule.
    Deny(Rule),
}

impl Decision {
    /// True for a permit.
    pub fn is_permit(&self) -> bool {
        matches!(self, Self::Permit(_))
    }

    /// A permit on `basis` with no emergency flag.
    pub(crate) fn permit(basis: Basis) -> Self {
        Self::Permit(Permit {
            basis,
            emergency: None,
        })
    }
}
