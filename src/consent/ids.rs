//! Identifiers compared by the engine, parsed once at the boundary.
//!
//! Systems: research notes §2 (IDNPS `urn:oid:1.2.250.1.71.4.2.1`, INS NIR/NIA/test/demo
//! `urn:oid:1.2.250.1.213.1.4.{8,9,10,11}`).

use super::error::FactsError;

/// FHIR identifier system of the IDNPS (idNat_PS).
pub const IDNPS_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.1";

/// A professional's national identifier (idNat_PS): a prefix digit in {0,1,3,4,5,6,8} followed by
/// at least one digit (e.g. `810002909371` = `8` + RPPS).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Idnps(String);

impl Idnps {
    /// Parses an IDNPS. Fails with [`FactsError::InvalidIdnps`] unless the value matches
    /// `^(0|1|3|4|5|6|8)\d+$` (the `PSIdNat-invariant`, with a number required).
    pub fn parse(value: &str) -> Result<Self, FactsError> {
        let mut chars = value.chars();
        let prefix_ok = chars.next().is_some_and(|c| "0134568".contains(c));
        let rest = chars.as_str();
        if prefix_ok && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(FactsError::InvalidIdnps(value.to_owned()))
        }
    }

    /// The identifier value, as stored in `Identifier.value`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which INS identifier system a matricule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InsSystem {
    /// `urn:oid:1.2.250.1.213.1.4.8`
    Nir,
    /// `urn:oid:1.2.250.1.213.1.4.9`
    Nia,
    /// `urn:oid:1.2.250.1.213.1.4.10`
    TestNir,
    /// `urn:oid:1.2.250.1.213.1.4.11`
    DemoNir,
}

impl InsSystem {
    /// Maps a FHIR identifier system to an INS system; `None` for any other system.
    pub fn from_uri(system: &str) -> Option<Self> {
        match system {
            "urn:oid:1.2.250.1.213.1.4.8" => Some(Self::Nir),
            "urn:oid:1.2.250.1.213.1.4.9" => Some(Self::Nia),
            "urn:oid:1.2.250.1.213.1.4.10" => Some(Self::TestNir),
            "urn:oid:1.2.250.1.213.1.4.11" => Some(Self::DemoNir),
            _ => None,
        }
    }

    /// The FHIR identifier system URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Nir => "urn:oid:1.2.250.1.213.1.4.8",
            Self::Nia => "urn:oid:1.2.250.1.213.1.4.9",
            Self::TestNir => "urn:oid:1.2.250.1.213.1.4.10",
            Self::DemoNir => "urn:oid:1.2.250.1.213.1.4.11",
        }
    }
}

/// A patient's INS (system + matricule). Two INS are the same person only if both parts match.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ins {
    system: InsSystem,
    value: String,
}

impl Ins {
    /// Parses an INS from a FHIR identifier system and value. Fails with
    /// [`FactsError::InvalidIns`] for a non-INS system or a value that is not 15 ASCII
    /// alphanumerics (13 characters, 2A/2B allowed, plus a 2-digit key; the key is not checked here).
    pub fn parse(system: &str, value: &str) -> Result<Self, FactsError> {
        let err = || FactsError::InvalidIns {
            system: system.to_owned(),
            value: value.to_owned(),
        };
        let system = InsSystem::from_uri(system).ok_or_else(err)?;
        if value.len() != 15 || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(err());
        }
        Ok(Self {
            system,
            value: value.to_owned(),
        })
    }

    /// The INS system.
    pub fn system(&self) -> InsSystem {
        self.system
    }

    /// The matricule.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// An organisation identifier (idNatSt, FINESS, SIRET…): system and value, compared exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrgId {
    /// `Identifier.system`, e.g. `urn:oid:1.2.250.1.71.4.2.2`.
    pub system: String,
    /// `Identifier.value`.
    pub value: String,
}

/// A profession code from TRE_G15-ProfessionSante (e.g. `10` médecin, `60` infirmier).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfessionCode(String);

impl ProfessionCode {
    /// Parses a TRE_G15 code. Fails with [`FactsError::InvalidProfession`] unless it is 1 to 3
    /// ASCII digits.
    pub fn parse(code: &str) -> Result<Self, FactsError> {
        if (1..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(FactsError::InvalidProfession(code.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A document type (DocumentReference.type coding, JDV_J66): code system and code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeCode {
    /// Code system, e.g. `http://loinc.org` or the TRE_A05 canonical.
    pub system: String,
    /// Code, e.g. `11488-4` or `REMB`.
    pub code: String,
}

impl TypeCode {
    /// Builds a type code from its system and code (no validation: unknown types are simply absent
    /// from the habilitation matrix).
    pub fn new(system: &str, code: &str) -> Self {
        Self {
            system: system.to_owned(),
            code: code.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idnps_accepts_rpps_prefix_and_rejects_others() {
        assert!(Idnps::parse("810002909371").is_ok());
        assert!(Idnps::parse("0123").is_ok());
        assert!(Idnps::parse("210002909371").is_err());
        assert!(Idnps::parse("8").is_err());
        assert!(Idnps::parse("8abc").is_err());
    }

    #[test]
    fn ins_requires_known_system_and_15_chars() {
        assert!(Ins::parse("urn:oid:1.2.250.1.213.1.4.8", "277076322082910").is_ok());
        assert!(Ins::parse("urn:oid:1.2.250.1.213.1.4.8", "2770763220829").is_err());
        assert!(Ins::parse("urn:oid:1.2.250.1.213.1.4.13", "277076322082910").is_err());
    }

    #[test]
    fn profession_code_is_numeric() {
        assert!(ProfessionCode::parse("10").is_ok());
        assert!(ProfessionCode::parse("").is_err());
        assert!(ProfessionCode::parse("MED").is_err());
    }
}
