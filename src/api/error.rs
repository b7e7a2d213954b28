//! The one table from error category to HTTP status and OperationOutcome issue code:
//!
//! | category | status | issue code |
//! |---|---|---|
//! | Invalid | 400 | invalid |
//! | Unauthorized | 401 | login |
//! | Forbidden | 403 | forbidden |
//! | NotFound | 404 | not-found |
//! | NotSupported | 405 | not-supported |
//! | Conflict | 409 | conflict |
//! | Gone | 410 | deleted |
//! | PreconditionFailed | 412 | conflict |
//! | TooLarge | 413 | too-long |
//! | UnsupportedMedia | 415 | not-supported |
//! | Unprocessable | 422 | processing |
//! | Internal | 500 | exception |

use std::any::Any;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::fhir::{Issue, Severity, operation_outcome};

/// HTTP status and issue code of a category.
fn table(kind: ErrorKind) -> (u16, &'static str) {
    match kind {
        ErrorKind::Invalid => (400, "invalid"),
        ErrorKind::Unauthorized => (401, "login"),
        ErrorKind::Forbidden => (403, "forbidden"),
        ErrorKind::NotFound => (404, "not-found"),
        ErrorKind::NotSupported => (405, "not-supported"),
        ErrorKind::Conflict => (409, "conflict"),
        ErrorKind::Gone => (410, "deleted"),
        ErrorKind::PreconditionFailed => (412, "conflict"),
        ErrorKind::TooLarge => (413, "too-long"),
        ErrorKind::UnsupportedMedia => (415, "not-supported"),
        ErrorKind::Unprocessable => (422, "processing"),
        ErrorKind::Internal => (500, "exception"),
    }
}

/// The HTTP status of an error category.
pub fn status_of(kind: ErrorKind) -> u16 {
    table(kind).0
}

/// `"404 Not Found"`-style status line for Bundle `response.status`.
pub fn status_line(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_owned()
}

/// The OperationOutcome describing `e`.
pub fn outcome_of(e: &Error) -> Value {
    if let Some(outcome) = &e.outcome {
        return (**outcome).clone();
    }
    let severity = if e.kind == ErrorKind::Internal {
        Severity::Fatal
    } else {
        Severity::Error
    };
    operation_outcome(&[Issue {
        severity,
        code: table(e.kind).1,
        diagnostics: e.message.clone(),
        expression: e.location.clone(),
    }])
}

/// A panic in a handler: 500 with an OperationOutcome, the server keeps running; the payload goes to tracing.
pub fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let detail = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    let e = Error::internal(format!("handler panicked: {detail}"));
    let body = serde_json::to_vec(&outcome_of(&e)).unwrap_or_default();
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [("content-type", "application/fhir+json; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_map_to_statuses() {
        assert_eq!(status_of(ErrorKind::Gone), 410);
        assert_eq!(status_of(ErrorKind::PreconditionFailed), 412);
        assert_eq!(status_line(201), "201 Created");
        let oo = outcome_of(&Error::invalid("bad").at("Patient.id"));
        assert_eq!(oo["issue"][0]["code"], "invalid");
        assert_eq!(oo["issue"][0]["expression"][0], "Patient.id");
    }
}
