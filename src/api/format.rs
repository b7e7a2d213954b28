//! Format negotiation (https://hl7.org/fhir/R4/http.html#mime-type): `_format` beats `Accept`; bodies are
//! read by their `Content-Type`. FHIR JSON and FHIR XML, with the plain `application/json`/`application/xml`
//! spellings accepted.

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

/// A wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// FHIR JSON.
    Json,
    /// FHIR XML.
    Xml,
}

/// The response format chosen, with the media type to answer and `_pretty`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Format of the response body.
    pub format: Format,
    /// The `Content-Type` to answer.
    pub media_type: &'static str,
    /// Pretty-print.
    pub pretty: bool,
}

fn parse_media(raw: &str) -> Option<(Format, &'static str)> {
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "json" | "application/fhir+json" | "application/json+fhir" => {
            Some((Format::Json, "application/fhir+json"))
        }
        "application/json" => Some((Format::Json, "application/json")),
        "xml" | "application/fhir+xml" | "application/xml+fhir" => {
            Some((Format::Xml, "application/fhir+xml"))
        }
        "application/xml" | "text/xml" => Some((Format::Xml, "application/xml")),
        "*/*" | "application/*" => Some((Format::Json, "application/fhir+json")),
        _ => None,
    }
}

/// Choose the response format from `_format`, then `Accept` (first supported type), defaulting to FHIR JSON.
/// An unsupported `_format` is `Invalid`; an Accept with nothing supported falls back to JSON.
pub fn negotiate(
    format_param: Option<&str>,
    accept: Option<&str>,
    pretty: bool,
) -> Result<Negotiated> {
    let chosen =
        match format_param {
            Some(f) => Some(parse_media(f).ok_or_else(|| {
                Error::invalid(format!("unsupported _format '{f}'")).at("_format")
            })?),
            None => accept.and_then(|a| a.split(',').find_map(parse_media)),
        };
    let (format, media_type) = chosen.unwrap_or((Format::Json, "application/fhir+json"));
    Ok(Negotiated {
        format,
        media_type,
        pretty,
    })
}

/// True if the request asks for a FHIR format (`_format`, or an `Accept` naming FHIR JSON or XML):
/// otherwise a Binary read answers the raw content (ITI-68).
pub fn asks_fhir(format_param: Option<&str>, accept: Option<&str>) -> bool {
    let wildcard = |m: &str| {
        let essence = m.split(';').next().unwrap_or("").trim();
        essence == "*/*" || essence == "application/*"
    };
    format_param.is_some()
        || accept.is_some_and(|a| {
            a.split(',')
                .any(|m| !wildcard(m) && parse_media(m).is_some())
        })
}

/// The kind of a request body, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A FHIR resource in `Format`.
    Resource(Format),
    /// A JSON Patch document.
    JsonPatch,
    /// An `application/x-www-form-urlencoded` body (`_search`).
    Form,
}

/// Classify a `Content-Type`; none means sniff the body. Anything else is `UnsupportedMedia` (415).
pub fn body_kind(content_type: Option<&str>, body: &[u8]) -> Result<BodyKind> {
    let Some(ct) = content_type else {
        let xml = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
        return Ok(BodyKind::Resource(if xml {
            Format::Xml
        } else {
            Format::Json
        }));
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json-patch+json" {
        return Ok(BodyKind::JsonPatch);
    }
    if essence == "application/x-www-form-urlencoded" {
        return Ok(BodyKind::Form);
    }
    parse_media(&essence)
        .filter(|_| essence != "*/*")
        .map(|(f, _)| BodyKind::Resource(f))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedMedia,
                format!("unsupported Content-Type '{ct}': send application/fhir+json or application/fhir+xml"),
            )
        })
}

/// Parse a body of `kind` into JSON; malformed input is `Invalid` with line and column.
pub fn parse_body(kind: BodyKind, body: &[u8]) -> Result<Value> {
    match kind {
        BodyKind::Resource(Format::Json) | BodyKind::JsonPatch | BodyKind::Form => parse_json(body),
        BodyKind::Resource(Format::Xml) => parse_xml(body),
    }
}

fn parse_json(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| {
        Error::invalid(format!(
            "malformed JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

fn parse_xml(body: &[u8]) -> Result<Value> {
    crate::xml::xml_to_json(body).map_err(|e| {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
            _ => String::new(),
        };
        let err = Error::invalid(format!("malformed FHIR XML{at}: {}", e.message));
        match e.location {
            Some(loc) => err.at(loc),
            None => err,
        }
    })
}

/// Serialise a JSON body in the negotiated format.
pub fn write_body(value: &Value, n: &Negotiated) -> Result<Vec<u8>> {
    match n.format {
        Format::Json if n.pretty => serde_json::to_vec_pretty(value).map_err(Error::internal),
        Format::Json => serde_json::to_vec(value).map_err(Error::internal),
        Format::Xml => crate::xml::json_to_xml(value, n.pretty)
            .map(String::into_bytes)
            .map_err(|e| Error::internal(format!("cannot write XML: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_param_beats_accept() {
        let n = negotiate(Some("json"), Some("application/fhir+xml"), false).unwrap();
        assert_eq!(n.format, Format::Json);
        let n = negotiate(None, Some("text/html, application/fhir+xml;q=0.9"), false).unwrap();
        assert_eq!(n.format, Format::Xml);
        assert!(negotiate(Some("yaml"), None, false).is_err());
        let n = negotiate(None, Some("application/json"), true).unwrap();
        assert_eq!(n.media_type, "application/json");
    }

    #[test]
    fn content_types_classify() {
        assert_eq!(
            body_kind(Some("application/fhir+json; charset=utf-8"), b"{}").unwrap(),
            BodyKind::Resource(Format::Json)
        );
        assert_eq!(
            body_kind(Some("application/json-patch+json"), b"[]").unwrap(),
            BodyKind::JsonPatch
        );
        assert_eq!(
            body_kind(Some("text/plain"), b"x").unwrap_err().kind,
            ErrorKind::UnsupportedMedia
        );
        assert_eq!(
            body_kind(None, b"  <Patient/>").unwrap(),
            BodyKind::Resource(Format::Xml)
        );
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let e = parse_json(b"{\n  \"a\": }").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
    }
}
