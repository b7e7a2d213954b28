//! One HTTP request/response pair as the runner records it, and the HTTP client that
//! produces it. Bodies are kept as text and, when they are FHIR JSON or XML, as JSON.

use crate::xml::{json_to_xml, xml_to_json};
use serde_json::Value;

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";
/// The FHIR XML media type.
pub const FHIR_XML: &str = "application/fhir+xml";

/// A request as sent.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Upper-case HTTP method.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The resource sent, if any (as JSON even when sent as XML).
    pub resource: Option<Value>,
    /// The body text as sent.
    pub body: Option<String>,
}

/// A response as received.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body text.
    pub body: String,
    /// The body as FHIR JSON when it parsed as a JSON or XML resource.
    pub resource: Option<Value>,
}

/// A request and the response it got.
#[derive(Clone, Debug, Default)]
pub struct Exchange {
    /// What was sent.
    pub request: Request,
    /// What came back.
    pub response: Response,
}

/// The value of header `name` (case-insensitive) among `headers`, joined by `, ` when repeated.
pub fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// The media type for a TestScript `accept`/`contentType` code: `json`, `xml`, `ttl` and
/// `none` (STU3 short codes) or a MIME type used as is.
pub fn mime(code: &str) -> Option<String> {
    match code {
        "json" => Some(FHIR_JSON.to_owned()),
        "xml" => Some(FHIR_XML.to_owned()),
        "ttl" => Some("application/fhir+turtle".to_owned()),
        "none" | "" => None,
        other => Some(other.to_owned()),
    }
}

/// Serialises `resource` for a body of media type `content_type` (XML when it mentions
/// `xml`, JSON otherwise).
///
/// # Errors
/// When the resource cannot be written as FHIR XML.
pub fn encode(resource: &Value, content_type: &str) -> Result<String, String> {
    if content_type.contains("xml") {
        json_to_xml(resource, false).map_err(|e| format!("cannot write XML body: {e}"))
    } else {
        Ok(resource.to_string())
    }
}

/// Parses a body as FHIR JSON or XML (by content type, else by its first character).
pub fn decode(body: &str, content_type: Option<&str>) -> Option<Value> {
    let trimmed = body.trim_start();
    let xml = content_type.is_some_and(|c| c.contains("xml")) || trimmed.starts_with('<');
    if trimmed.is_empty() {
        None
    } else if xml {
        xml_to_json(trimmed.as_bytes()).ok()
    } else {
        serde_json::from_str(trimmed).ok()
    }
}

/// Sends `request` with `client` and records the response.
///
/// # Errors
/// Transport failures (connection refused, timeout, invalid URL or header).
pub async fn send(client: &reqwest::Client, request: Request) -> Result<Exchange, String> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|e| format!("bad method {}: {e}", request.method))?;
    let mut builder = client.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let reply = builder
        .send()
        .await
        .map_err(|e| format!("{} {} failed: {e}", request.method, request.url))?;
    let status = reply.status().as_u16();
    let headers: Vec<(String, String)> = reply
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = reply
        .text()
        .await
        .map_err(|e| format!("reading the response failed: {e}"))?;
    let resource = decode(&body, header(&headers, "content-type").as_deref());
    let response = Response {
        status,
        headers,
        body,
        resource,
    };
    Ok(Exchange { request, response })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_short_format_codes() {
        assert_eq!(mime("json").as_deref(), Some(FHIR_JSON));
        assert_eq!(mime("xml").as_deref(), Some(FHIR_XML));
        assert_eq!(mime("none"), None);
        assert_eq!(
            mime("application/json").as_deref(),
            Some("application/json")
        );
    }

    #[test]
    fn finds_headers_case_insensitively() {
        let h = vec![("ETag".to_owned(), "W/\"1\"".to_owned())];
        assert_eq!(header(&h, "etag").as_deref(), Some("W/\"1\""));
        assert_eq!(header(&h, "location"), None);
    }

    #[test]
    fn round_trips_xml_bodies() {
        let p = json!({"resourceType": "Patient", "id": "x", "active": true});
        let xml = encode(&p, FHIR_XML).unwrap();
        assert!(xml.contains("<Patient"));
        assert_eq!(decode(&xml, Some(FHIR_XML)), Some(p));
    }
}
