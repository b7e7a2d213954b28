//! Outcome → HTTP response: status, `ETag`, `Location`, `Last-Modified`, body in the negotiated format and
//! as `Prefer: return` asks.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::format::{Format, Negotiated, write_body};
use super::{outcome_of, status_of};
use crate::error::{Error, ErrorKind};
use crate::fhir::{Issue, Severity, operation_outcome};
use crate::interaction::{Body, Outcome, PreferReturn};

/// JSON, for answering when negotiation itself failed.
pub fn fallback(pretty: bool) -> Negotiated {
    Negotiated {
        format: Format::Json,
        media_type: "application/fhir+json",
        pretty,
    }
}

/// Render an error as its status with an OperationOutcome; a 5xx names the request id.
pub fn error(e: &Error, n: &Negotiated, request_id: &str) -> Response {
    let mut e = e.clone();
    if e.kind == ErrorKind::Internal && !request_id.is_empty() {
        e.message = format!("internal server error (request id {request_id})");
    }
    let status = status_of(e.kind);
    let body = outcome_of(&e);
    let bytes = write_body(&body, n)
        .or_else(|_| write_body(&body, &fallback(n.pretty)))
        .unwrap_or_default();
    let mut resp = (status_code(status), bytes).into_response();
    set(&mut resp, header::CONTENT_TYPE, &content_type(n));
    resp
}

/// ITI-68: a Binary read answered as its raw content with its `contentType` (sandboxed: the
/// content is the patient's document, never a page of this origin).
pub fn raw_binary(mut o: Outcome, n: &Negotiated, request_id: &str) -> Response {
    let stored = match std::mem::replace(&mut o.body, Body::Empty) {
        Body::Stored(bytes) => bytes,
        other => {
            o.body = other;
            return outcome(o, n, PreferReturn::Representation, request_id);
        }
    };
    let Some(content) = super::binary::content(stored) else {
        return error(&Error::internal("unreadable stored Binary"), n, request_id);
    };
    let mut resp = (StatusCode::OK, content.body).into_response();
    set(&mut resp, header::CONTENT_TYPE, &content.content_type);
    set(
        &mut resp,
        header::CONTENT_LENGTH,
        &content.length.to_string(),
    );
    set(&mut resp, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(&mut resp, header::CONTENT_SECURITY_POLICY, "sandbox");
    for (name, value) in &o.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(*name, v);
        }
    }
    if let Some(v) = o.version {
        set(&mut resp, header::ETAG, &v.etag());
    }
    resp
}

/// Render a successful outcome.
pub fn outcome(o: Outcome, n: &Negotiated, ret: PreferReturn, request_id: &str) -> Response {
    let body = match (o.is_write, ret) {
        (true, PreferReturn::Minimal) => Ok(None),
        (true, PreferReturn::OperationOutcome) => write_body(&ok_outcome(&o), n).map(Some),
        _ => encode(&o.body, n),
    };
    let bytes = match body {
        Ok(b) => b,
        Err(e) => return error(&e, n, request_id),
    };
    let mut resp = match bytes {
        Some(b) => {
            let mut r = (status_code(o.status), b).into_response();
            set(&mut r, header::CONTENT_TYPE, &content_type(n));
            r
        }
        None => status_code(o.status).into_response(),
    };
    for (name, value) in &o.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(*name, v);
        }
    }
    if let Some(v) = o.version {
        set(&mut resp, header::ETAG, &v.etag());
    }
    if let Some(t) = o.last_modified {
        set(&mut resp, header::LAST_MODIFIED, &t.to_http());
    }
    if o.is_write
        && let Some(l) = &o.location
    {
        set(&mut resp, header::LOCATION, l);
        set(&mut resp, header::CONTENT_LOCATION, l);
    }
    resp
}

fn ok_outcome(o: &Outcome) -> serde_json::Value {
    let mut issues = o.issues.clone();
    if issues.is_empty() {
        issues.push(Issue {
            severity: Severity::Information,
            code: "informational",
            diagnostics: format!("done ({})", super::status_line(o.status)),
            expression: None,
        });
    }
    operation_outcome(&issues)
}

fn encode(body: &Body, n: &Negotiated) -> Result<Option<Vec<u8>>, Error> {
    match body {
        Body::Empty => Ok(None),
        Body::Stored(bytes) if n.format == Format::Json && !n.pretty => Ok(Some(bytes.clone())),
        Body::Stored(bytes) => {
            let v: serde_json::Value = serde_json::from_slice(bytes).map_err(Error::internal)?;
            write_body(&v, n).map(Some)
        }
        Body::Json(v) => write_body(v, n).map(Some),
    }
}

fn content_type(n: &Negotiated) -> String {
    format!("{}; charset=utf-8", n.media_type)
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn set(resp: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}
