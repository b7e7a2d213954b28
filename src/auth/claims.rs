//! The JWT claims Carnet accepts, and the requester they describe.

use serde::{Deserialize, Serialize};

use super::checks::{
    check_fhir_id, check_idnps, check_ins, check_profession, check_specialty, check_text,
};
use super::error::AuthError;
use super::scopes::{SmartScope, parse_scopes};

/// The INS system of test identities (`bare 15-digit INS` in `carnet token`).
pub const INS_TEST_SYSTEM: &str = "urn:oid:1.2.250.1.213.1.4.10";

/// Who the token says is asking (`requester_kind` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequesterKind {
    /// A health professional (`idnps`, `profession`, ...).
    Professional,
    /// The patient themself (`ins`).
    Patient,
    /// A legal representative of the patient (`related_person`).
    Representative,
    /// A backend service (`client_id`).
    System,
    /// A Carnet operator (`sub`).
    Admin,
}

/// A professional's access mode (`access_mode` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Mode {
    /// `normal`.
    #[default]
    #[serde(rename = "normal")]
    Normal,
    /// `bris-de-glace` (break-glass).
    #[serde(rename = "bris-de-glace")]
    BreakGlass,
    /// `regulation` (SAMU / centre 15).
    #[serde(rename = "regulation")]
    Regulation,
}

impl Mode {
    /// Parses `normal`, `bris-de-glace` or `regulation`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "normal" => Some(Self::Normal),
            "bris-de-glace" => Some(Self::BreakGlass),
            "regulation" => Some(Self::Regulation),
            _ => None,
        }
    }
}

/// The validated requester described by [`Claims`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// A health professional.
    Professional {
        /// idNat_PS.
        idnps: String,
        /// TRE_G15 profession code (1-3 digits).
        profession: String,
        /// TRE_R38 specialty code.
        specialty: Option<String>,
        /// The organization the professional acts for.
        organization: Option<String>,
        /// Access mode.
        mode: Mode,
    },
    /// The patient.
    Patient {
        /// INS system URI (`urn:oid:...`).
        ins_system: String,
        /// INS value (matricule).
        ins_value: String,
    },
    /// A representative, identified by their RelatedPerson logical id.
    Representative {
        /// RelatedPerson logical id.
        related_person: String,
    },
    /// A backend service.
    System {
        /// OAuth client id (equal to `sub`).
        client_id: String,
    },
    /// A Carnet operator.
    Administrator {
        /// The operator (`sub`).
        operator: String,
    },
}

/// JWT claims: registered claims plus Carnet's. Unknown claims are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Subject.
    pub sub: String,
    /// Audience: a JSON string or array (serialized as a string when single).
    #[serde(with = "audience")]
    pub aud: Vec<String>,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// SMART scopes, space-separated.
    #[serde(default)]
    pub scope: String,
    /// Which kind of requester this is.
    pub requester_kind: RequesterKind,
    /// Professional: idNat_PS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idnps: Option<String>,
    /// Professional: TRE_G15 profession code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profession: Option<String>,
    /// Professional: TRE_R38 specialty code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// Professional: organization identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Professional: access mode (absent = normal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_mode: Option<Mode>,
    /// Patient: INS as `system|value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ins: Option<String>,
    /// Representative: RelatedPerson logical id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_person: Option<String>,
    /// System: OAuth client id (= `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

impl Claims {
    /// Validates the Carnet claims for `requester_kind` and returns the requester. Claims that
    /// belong to another kind (e.g. `idnps` on a patient token) are rejected.
    pub fn requester(&self) -> Result<Requester, AuthError> {
        let bad = |msg: &str| AuthError::InvalidClaims(msg.to_owned());
        let professional_only = self.idnps.is_some()
            || self.profession.is_some()
            || self.specialty.is_some()
            || self.organization.is_some()
            || self.access_mode.is_some();
        let kind = self.requester_kind;
        let foreign = match kind {
            RequesterKind::Professional => self.ins.is_some() || self.related_person.is_some(),
            RequesterKind::Patient => professional_only || self.related_person.is_some(),
            RequesterKind::Representative => professional_only || self.ins.is_some(),
            RequesterKind::System | RequesterKind::Admin => {
                professional_only || self.ins.is_some() || self.related_person.is_some()
            }
        } || (kind != RequesterKind::System && self.client_id.is_some());
        if foreign {
            return Err(bad("claims of another requester_kind present"));
        }
        match kind {
            RequesterKind::Professional => {
                let idnps = self.idnps.as_deref().ok_or_else(|| bad("idnps missing"))?;
                check_idnps(idnps).map_err(bad)?;
                let profession = self
                    .profession
                    .as_deref()
                    .ok_or_else(|| bad("profession missing"))?;
                check_profession(profession).map_err(bad)?;
                if let Some(specialty) = &self.specialty {
                    check_specialty(specialty).map_err(bad)?;
                }
                if let Some(org) = &self.organization {
                    check_text(org).map_err(|_| bad("organization is empty or not printable"))?;
                }
                Ok(Requester::Professional {
                    idnps: idnps.to_owned(),
                    profession: profession.to_owned(),
                    specialty: self.specialty.clone(),
                    organization: self.organization.clone(),
                    mode: self.access_mode.unwrap_or_default(),
                })
            }
            RequesterKind::Patient => {
                let ins = self.ins.as_deref().ok_or_else(|| bad("ins missing"))?;
                let (system, value) = ins
                    .split_once('|')
                    .ok_or_else(|| bad("ins is not system|value"))?;
                check_ins(system, value).map_err(bad)?;
                Ok(Requester::Patient {
                    ins_system: system.to_owned(),
                    ins_value: value.to_owned(),
                })
            }
            RequesterKind::Representative => {
                let id = self
                    .related_person
                    .as_deref()
                    .ok_or_else(|| bad("related_person missing"))?;
                check_fhir_id(id).map_err(bad)?;
                Ok(Requester::Representative {
                    related_person: id.to_owned(),
                })
            }
            RequesterKind::System => {
                let client_id = self
                    .client_id
                    .as_deref()
                    .ok_or_else(|| bad("client_id missing"))?;
                check_text(client_id).map_err(|_| bad("client_id is empty or not printable"))?;
                if client_id != self.sub {
                    return Err(bad("client_id differs from sub"));
                }
                Ok(Requester::System {
                    client_id: client_id.to_owned(),
                })
            }
            RequesterKind::Admin => {
                check_text(&self.sub).map_err(|_| bad("sub is empty or not printable"))?;
                Ok(Requester::Administrator {
                    operator: self.sub.clone(),
                })
            }
        }
    }

    /// The resource scopes of `scope` (non-resource scopes dropped).
    pub fn scopes(&self) -> Result<Vec<SmartScope>, AuthError> {
        parse_scopes(&self.scope)
    }
}

/// `aud` as a string or an array of strings.
mod audience {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    /// The two JSON shapes of `aud`.
    enum OneOrMany {
        /// `"aud": "x"`.
        One(String),
        /// `"aud": ["x", "y"]`.
        Many(Vec<String>),
    }

    /// A single audience as a string, several as an array.
    pub(super) fn serialize<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
        match aud {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }

    /// Accepts a string or an array of strings.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        })
    }
}
