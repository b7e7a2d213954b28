//! Errors raised while parsing facts, identifiers and the habilitation matrix.
//!
//! The decision itself never fails: `decide` returns a `Decision`. Only the boundary (turning FHIR
//! JSON, token claims or the matrix file into typed facts) can fail, with one of these categories.

use thiserror::Error;

/// A fact could not be parsed; the caller should treat the input as invalid (422 for client data,
/// 500 for a server-side profile file).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FactsError {
    /// An IDNPS is not a prefix digit (0,1,3,4,5,6,8) followed by digits.
    #[error("invalid IDNPS {0:?}")]
    InvalidIdnps(String),
    /// An INS has an unknown system or a malformed value.
    #[error("invalid INS {system:?}|{value:?}")]
    InvalidIns { system: String, value: String },
    /// A profession code (TRE_G15) is empty or not numeric.
    #[error("invalid profession code {0:?}")]
    InvalidProfession(String),
    /// A FHIR date/dateTime/instant could not be read.
    #[error("invalid date {0:?}")]
    InvalidDate(String),
    /// An access mode is not `normal`, `bris-de-glace` or `regulation`.
    #[error("invalid access mode {0:?}")]
    InvalidMode(String),
    /// A SMART system scope could not be read.
    #[error("invalid scope {0:?}")]
    InvalidScope(String),
    /// The JSON value is not the expected resource type.
    #[error("expected a {expected} resource")]
    WrongResource { expected: &'static str },
    /// An active block Consent names an actor that resolves to no IDNPS nor organisation: the
    /// record cannot be decided safely (validate Consents on write so this cannot happen).
    #[error("unresolvable actor in a deny Consent: {0}")]
    UnresolvedBlock(String),
    /// The habilitation matrix file is malformed or inconsistent.
    #[error("invalid habilitation matrix: {0}")]
    InvalidMatrix(String),
}
