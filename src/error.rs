//! The crate error: a categorised value, free of HTTP.
//!
//! Every failure a request can meet is one of these categories. `api::error` holds the single table that maps
//! a category to an HTTP status and an OperationOutcome issue code:
//!
//! | category            | HTTP | issue code     |
//! |---------------------|------|----------------|
//! | `Invalid`           | 400  | `invalid`      |
//! | `Unauthorized`      | 401  | `login`        |
//! | `Forbidden`         | 403  | `forbidden`    |
//! | `NotFound`          | 404  | `not-found`    |
//! | `NotSupported`      | 405  | `not-supported`|
//! | `Conflict`          | 409  | `conflict`     |
//! | `Gone`              | 410  | `deleted`      |
//! | `PreconditionFailed`| 412  | `conflict`     |
//! | `TooLarge`          | 413  | `too-long`     |
//! | `UnsupportedMedia`  | 415  | `not-supported`|
//! | `Unprocessable`     | 422  | `processing`   |
//! | `Internal`          | 500  | `exception`    |

use std::fmt;

/// A failure with its category, a human message and, when known, the FHIRPath-style location it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of failure this is; decides status and issue code.
    pub kind: ErrorKind,
    /// Human-readable diagnostics (never internal details for `Internal`).
    pub message: String,
    /// Where in the request the problem is, e.g. `Patient.identifier[0].system` or `Bundle.entry[2]`.
    pub location: Option<String>,
    /// A full OperationOutcome to answer instead of the single issue above (validation lists every issue).
    pub outcome: Option<Box<serde_json::Value>>,
}

/// The categories of [`Error`]; see the module table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed or semantically invalid request.
    Invalid,
    /// No or bad credentials.
    Unauthorized,
    /// Authenticated but not allowed.
    Forbidden,
    /// Unknown resource type, id or version.
    NotFound,
    /// Interaction or method not supported here.
    NotSupported,
    /// Concurrent modification or duplicate.
    Conflict,
    /// The resource was deleted.
    Gone,
    /// `If-Match` / conditional precondition not met.
    PreconditionFailed,
    /// Body over the configured limit.
    TooLarge,
    /// Content type neither FHIR JSON nor FHIR XML.
    UnsupportedMedia,
    /// Well-formed but failed business rules or validation.
    Unprocessable,
    /// A fault of the server; the message is generic.
    Internal,
}

impl Error {
    /// An error of `kind` with `message` and no location.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            location: None,
            outcome: None,
        }
    }

    /// An error answered with `outcome`, an OperationOutcome listing every issue.
    pub fn with_outcome(
        kind: ErrorKind,
        message: impl Into<String>,
        outcome: serde_json::Value,
    ) -> Self {
        Self {
            outcome: Some(Box::new(outcome)),
            ..Self::new(kind, message)
        }
    }

    /// Attach (or replace) the location this error concerns.
    #[must_use]
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// An `Unprocessable` (422) error: well-formed, but refused by a business rule.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, message)
    }

    /// Shorthand for [`ErrorKind::Invalid`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// Shorthand for [`ErrorKind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// Shorthand for [`ErrorKind::Internal`]: logs `detail`, keeps a generic message.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(ErrorKind::Internal, "internal server error")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{} (at {loc})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Result with the crate [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
