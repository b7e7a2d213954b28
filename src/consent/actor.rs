//! Who asks: the requester, as extracted from the bearer token by `auth/` (access-rules.md,
//! "Who asks").

use super::error::FactsError;
use super::ids::{Idnps, Ins, OrgId, ProfessionCode};

/// How a professional accesses the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessMode {
    /// Ordinary access (care team, authorisation).
    Normal,
    /// `bris-de-glace`: break-glass, patient unable to consent, immediate risk (L.1111-17 I).
    BreakGlass,
    /// `regulation`: SAMU / centre 15 regulating doctor (L.1111-17 I, second paragraph).
    Regulation,
}

impl AccessMode {
    /// Parses `normal`, `bris-de-glace` or `regulation`; fails with [`FactsError::InvalidMode`].
    pub fn parse(text: &str) -> Result<Self, FactsError> {
        match text {
            "normal" => Ok(Self::Normal),
            "bris-de-glace" => Ok(Self::BreakGlass),
            "regulation" => Ok(Self::Regulation),
            other => Err(FactsError::InvalidMode(other.to_owned())),
        }
    }

    /// True for the two emergency modes.
    pub fn is_emergency(self) -> bool {
        !matches!(self, Self::Normal)
    }
}

/// A health professional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Professional {
    /// idNat_PS.
    pub idnps: Idnps,
    /// TRE_G15 profession: selects the habilitation matrix column.
    pub profession: ProfessionCode,
    /// TRE_R38 specialty, if any (carried for audit; no matrix cell depends on it yet).
    pub specialty: Option<String>,
    /// The structure the professional acts for; matches Consents naming an Organization.
    pub organisation: Option<OrgId>,
    /// Access mode declared in the token.
    pub mode: AccessMode,
}

/// A SMART system scope (`system/<Type|*>.<read|write|*>` or v2 `system/<Type|*>.<cruds>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Resource type, or `None` for `*`.
    pub resource: Option<String>,
    /// Grants read/search.
    pub read: bool,
    /// Grants create/update.
    pub write: bool,
}

impl Scope {
    /// Parses one scope; fails with [`FactsError::InvalidScope`] unless it is a `system/` scope
    /// with a known permission part.
    pub fn parse(text: &str) -> Result<Self, FactsError> {
        let err = || FactsError::InvalidScope(text.to_owned());
        let body = text.strip_prefix("system/").ok_or_else(err)?;
        let (resource, perm) = body.split_once('.').ok_or_else(err)?;
        let (read, write) = match perm {
            "read" => (true, false),
            "write" => (false, true),
            "*" => (true, true),
            v2 if !v2.is_empty() && v2.chars().all(|c| "cruds".contains(c)) => (
                v2.contains('r') || v2.contains('s'),
                v2.contains('c') || v2.contains('u'),
            ),
            _ => return Err(err()),
        };
        let resource = (resource != "*").then(|| resource.to_owned());
        Ok(Self {
            resource,
            read,
            write,
        })
    }

    /// True if the scope covers `resource_type`.
    pub fn covers(&self, resource_type: &str) -> bool {
        self.resource.as_deref().is_none_or(|r| r == resource_type)
    }
}

/// The requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A health professional (IDNPS, profession, mode).
    Professional(Professional),
    /// The holder (titulaire), identified by INS.
    Patient(Ins),
    /// A legal representative: the RelatedPerson's id and the INS of the patient it represents, as
    /// verified by `auth/` against the stored `RelatedPerson.patient`.
    LegalRepresentative {
        /// RelatedPerson logical id.
        related_person: String,
        /// The represented patient.
        patient: Ins,
    },
    /// An integration client with system scopes.
    System {
        /// OAuth client id.
        client_id: String,
        /// Granted scopes.
        scopes: Vec<Scope>,
    },
    /// An operator with the administrator role.
    Administrator {
        /// Operator account id.
        operator: String,
    },
}

impl Actor {
    /// True if a system client's scopes grant read (`write = false`) or write on `resource_type`.
    pub(crate) fn system_may(scopes: &[Scope], resource_type: &str, write: bool) -> bool {
        scopes
            .iter()
            .any(|s| s.covers(resource_type) && if write { s.write } else { s.read })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_v1_and_v2() {
        let s = Scope::parse("system/DocumentReference.write").unwrap();
        assert!(s.write && !s.read && s.covers("DocumentReference") && !s.covers("Patient"));
        let s = Scope::parse("system/*.rs").unwrap();
        assert!(s.read && !s.write && s.covers("Observation"));
        assert!(Scope::parse("user/*.read").is_err());
        assert!(Scope::parse("system/Patient.x").is_err());
    }

    #[test]
    fn modes() {
        assert_eq!(
            AccessMode::parse("bris-de-glace"),
            Ok(AccessMode::BreakGlass)
        );
        assert!(AccessMode::parse("urgence").is_err());
        assert!(AccessMode::Regulation.is_emergency());
    }
}
