//! Turning a TestScript `operation` into an HTTP request
//! (<https://hl7.org/fhir/R4/testscript-definitions.html#TestScript.setup.action.operation>).

use super::exchange::{FHIR_JSON, Request, encode, mime};
use super::state::{State, text};
use serde_json::Value;

/// The operation's type code (`operation.type.code`; STU3 scripts may give a bare code).
pub fn type_code(op: &Value) -> String {
    match op.get("type") {
        Some(Value::String(code)) => code.clone(),
        Some(t) => text(t, "code").unwrap_or_default().to_owned(),
        None => String::new(),
    }
}

/// The default HTTP method of an operation type (named operations POST).
fn default_method(code: &str, has_body: bool) -> &'static str {
    match code {
        "read" | "vread" | "history" | "search" | "capabilities" => "GET",
        "create" | "batch" | "transaction" => "POST",
        "update" | "updateCreate" => "PUT",
        "patch" => "PATCH",
        "delete" | "deleteCondSingle" | "deleteCondMultiple" => "DELETE",
        _ if has_body => "POST",
        _ => "GET",
    }
}

/// Resource type, id and version of the `targetId` fixture or response.
fn target(state: &State, op: &Value) -> (Option<String>, Option<String>, Option<String>) {
    let Some(resource) = text(op, "targetId").and_then(|id| state.resource(id)) else {
        return (None, None, None);
    };
    let get = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let version = resource.get("meta").and_then(|m| get(m, "versionId"));
    (get(resource, "resourceType"), get(resource, "id"), version)
}

/// Builds the request for `op` against `base`: explicit `url`, else
/// `[base]/[type][params]`, else the interaction's own shape from `targetId`/`sourceId`.
///
/// # Errors
/// A `sourceId` that names nothing, or a body that cannot be encoded.
pub fn build(state: &State, op: &Value, base: &str) -> Result<Request, String> {
    let code = type_code(op);
    let mut body = source_body(state, op)?;
    let method = text(op, "method")
        .map(str::to_uppercase)
        .unwrap_or_else(|| default_method(&code, body.is_some()).to_owned());
    let url = absolute(base, &request_url(state, op, &code, body.as_ref()));
    if matches!(code.as_str(), "update" | "updateCreate") {
        align_id(&mut body, &url);
    }
    let mut request = Request {
        method,
        url,
        ..Request::default()
    };
    add_headers(state, op, &code, body, &mut request)?;
    Ok(request)
}

/// Sets the id of an update's body to the id in its `[type]/[id]` URL, as servers refuse
/// a mismatch and scripts often reuse a fixture under another id.
fn align_id(body: &mut Option<Value>, url: &str) {
    let path = url.split('?').next().unwrap_or_default();
    let mut segments = path.rsplit('/');
    let (Some(id), Some(rtype)) = (segments.next(), segments.next()) else {
        return;
    };
    let Some(Value::Object(b)) = body.as_mut() else {
        return;
    };
    if b.get("resourceType").and_then(Value::as_str) == Some(rtype) && !id.is_empty() {
        b.insert("id".into(), Value::String(id.to_owned()));
    }
}

fn source_body(state: &State, op: &Value) -> Result<Option<Value>, String> {
    let Some(id) = text(op, "sourceId") else {
        return Ok(None);
    };
    if state.fixtures.contains_key(id) {
        return Ok(state.fixture_body(id));
    }
    state
        .resource(id)
        .cloned()
        .map(Some)
        .ok_or_else(|| format!("sourceId {id} names no fixture or response"))
}

fn request_url(state: &State, op: &Value, code: &str, body: Option<&Value>) -> String {
    if let Some(url) = text(op, "url") {
        return encode_url(op, &state.subst(url));
    }
    let (t_type, t_id, t_vid) = target(state, op);
    let body_type = body
        .and_then(|b| text(b, "resourceType"))
        .map(str::to_owned);
    let rtype = text(op, "resource")
        .map(str::to_owned)
        .or(t_type)
        .or(body_type);
    let rtype = rtype.unwrap_or_default();
    if let Some(params) = text(op, "params") {
        let params = encode_url(op, &state.subst(params));
        return match code {
            "batch" | "transaction" | "capabilities" => params,
            _ => format!("{rtype}{params}"),
        };
    }
    let id = t_id.or_else(|| body.and_then(|b| text(b, "id")).map(str::to_owned));
    let instance = id.map(|id| format!("{rtype}/{id}"));
    match (code, instance) {
        ("capabilities", _) => "metadata".to_owned(),
        ("batch" | "transaction", _) => String::new(),
        ("create" | "search" | "deleteCondSingle" | "deleteCondMultiple", _) | (_, None) => {
            if code == "history" {
                format!("{rtype}/_history")
            } else {
                rtype
            }
        }
        ("vread", Some(i)) => format!("{i}/_history/{}", t_vid.unwrap_or_default()),
        ("history", Some(i)) => format!("{i}/_history"),
        ("read" | "update" | "updateCreate" | "patch" | "delete", Some(i)) => i,
        (named, Some(i)) => format!("{i}/${}", named.trim_start_matches('$')),
    }
}

fn add_headers(
    state: &State,
    op: &Value,
    code: &str,
    body: Option<Value>,
    request: &mut Request,
) -> Result<(), String> {
    let accept = text(op, "accept").map_or(Some(FHIR_JSON.to_owned()), mime);
    if let Some(accept) = accept {
        request.headers.push(("accept".into(), accept));
    }
    if let Some(body) = body {
        let default = if code == "patch" && body.is_array() {
            "application/json-patch+json"
        } else {
            FHIR_JSON
        };
        let ctype = text(op, "contentType").map_or(Some(default.to_owned()), mime);
        request.body = Some(encode(&body, ctype.as_deref().unwrap_or(default))?);
        if let Some(ctype) = ctype {
            request.headers.push(("content-type".into(), ctype));
        }
        request.resource = Some(body);
    }
    for h in op
        .get("requestHeader")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(field), Some(value)) = (text(h, "field"), text(h, "value")) {
            let name = field.to_lowercase();
            request.headers.retain(|(n, _)| *n != name);
            request.headers.push((name, state.subst(value)));
        }
    }
    Ok(())
}

fn absolute(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_owned();
    }
    let base = base.trim_end_matches('/');
    match path.trim_start_matches('/') {
        "" => base.to_owned(),
        p if p.starts_with('?') => format!("{base}{p}"),
        p => format!("{base}/{p}"),
    }
}

/// Percent-encodes characters that cannot appear in a URL unless `encodeRequestUrl` is false.
fn encode_url(op: &Value, url: &str) -> String {
    if op.get("encodeRequestUrl").and_then(Value::as_bool) == Some(false) {
        return url.to_owned();
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c if !c.is_ascii() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BASE: &str = "http://h/fhir";

    fn state() -> State {
        let mut s = State::default();
        s.fixtures.insert(
            "p".into(),
            json!({"resourceType": "Patient", "id": "p1", "meta": {"versionId": "2"}}),
        );
        s.preset.insert("fam".into(), "Dupont Marie".into());
        s
    }

    fn url(op: Value) -> (String, String) {
        let r = build(&state(), &op, BASE).unwrap();
        (r.method, r.url)
    }

    #[test]
    fn builds_instance_urls_from_target() {
        let t = |code: &str| json!({"type": {"code": code}, "targetId": "p"});
        assert_eq!(
            url(t("read")),
            ("GET".into(), "http://h/fhir/Patient/p1".into())
        );
        assert_eq!(url(t("vread")).1, "http://h/fhir/Patient/p1/_history/2");
        assert_eq!(
            url(t("delete")),
            ("DELETE".into(), "http://h/fhir/Patient/p1".into())
        );
        assert_eq!(url(t("history")).1, "http://h/fhir/Patient/p1/_history");
        assert_eq!(url(t("validate")).1, "http://h/fhir/Patient/p1/$validate");
    }

    #[test]
    fn builds_type_and_system_urls() {
        let op =
            json!({"type": {"code": "search"}, "resource": "Patient", "params": "?family=${fam}"});
        assert_eq!(url(op).1, "http://h/fhir/Patient?family=Dupont%20Marie");
        assert_eq!(
            url(json!({"type": {"code": "capabilities"}})).1,
            "http://h/fhir/metadata"
        );
        let op = json!({"type": {"code": "create"}, "sourceId": "p", "method": "put"});
        let r = build(&state(), &op, BASE).unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("PUT", "http://h/fhir/Patient")
        );
        assert!(r.body.unwrap().contains("\"p1\""));
    }

    #[test]
    fn honours_url_headers_and_formats() {
        let op = json!({"type": {"code": "read"}, "url": "Patient/${fam}", "encodeRequestUrl": false,
            "accept": "xml", "requestHeader": [{"field": "If-Match", "value": "W/\"${fam}\""}]});
        let r = build(&state(), &op, BASE).unwrap();
        assert_eq!(r.url, "http://h/fhir/Patient/Dupont Marie");
        assert!(
            r.headers
                .contains(&("accept".into(), "application/fhir+xml".into()))
        );
        assert!(
            r.headers
                .contains(&("if-match".into(), "W/\"Dupont Marie\"".into()))
        );
        let op = json!({"type": {"code": "update"}, "sourceId": "p", "contentType": "xml"});
        let r = build(&state(), &op, BASE).unwrap();
        assert!(r.body.unwrap().contains("<Patient"));
        let op = json!({"type": {"code": "update"}, "resource": "Patient", "sourceId": "p", "params": "/other"});
        let r = build(&state(), &op, BASE).unwrap();
        assert_eq!(r.resource.unwrap()["id"], "other");
        assert!(build(&state(), &json!({"sourceId": "nope"}), BASE).is_err());
    }
}
