//! The one handler: HTTP request → [`RequestParts`] → interaction → response.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use tracing::Span;

use super::AppState;
use super::format::{BodyKind, body_kind, negotiate, parse_body};
use super::render;
use crate::error::{Error, ErrorKind, Result};
use crate::interaction::{PreferReturn, RequestParts, query_pairs, route, run as execute};

/// Handle any request below the FHIR base.
pub async fn handle(State(state): State<AppState>, req: Request) -> Response {
    let request_id = header(req.headers(), "x-request-id").unwrap_or_default();
    let pairs = query_pairs(req.uri().query().unwrap_or(""));
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let pretty = param("_pretty") == Some("true");
    let negotiated = match negotiate(
        param("_format"),
        header(req.headers(), "accept").as_deref(),
        pretty,
    ) {
        Ok(n) => n,
        Err(e) => return render::error(&e, &render::fallback(pretty), &request_id),
    };
    let ret = prefer_return(req.headers());
    let path = relative_path(req.uri().path(), &state.config.base_path);
    let public = super::auth::is_public(req.method().as_str(), &path);
    let ctx = match super::auth::context(&state, req.headers(), public).await {
        Ok(ctx) => ctx,
        Err(refused) => {
            let mut resp = render::error(&refused.error, &negotiated, &request_id);
            if let Some(c) = refused.challenge
                && let Ok(v) = axum::http::HeaderValue::from_str(&c)
            {
                resp.headers_mut().insert("www-authenticate", v);
            }
            return resp;
        }
    };
    if path == ".well-known/smart-configuration" {
        let body = super::auth::smart_configuration(&ctx.base_url);
        let o = crate::interaction::Outcome::new(200, crate::interaction::Body::Json(body));
        return render::outcome(o, &render::fallback(pretty), ret, &request_id);
    }
    let raw_binary = req.method() == axum::http::Method::GET
        && path.starts_with("Binary/")
        && path.matches('/').count() == 1
        && !super::format::asks_fhir(param("_format"), header(req.headers(), "accept").as_deref());
    match run(&state, &ctx, req, ret).await {
        Ok(outcome) if raw_binary => render::raw_binary(outcome, &negotiated, &request_id),
        Ok(outcome) => render::outcome(outcome, &negotiated, ret, &request_id),
        Err(e) => render::error(&e, &negotiated, &request_id),
    }
}

async fn run(
    state: &AppState,
    ctx: &crate::interaction::Context,
    req: Request,
    ret: PreferReturn,
) -> Result<crate::interaction::Outcome> {
    let method = req.method().clone();
    let headers = req.headers().clone();
    let path = relative_path(req.uri().path(), &state.config.base_path);
    let query = req.uri().query().unwrap_or("").to_owned();
    let (body, json_patch, form) =
        read_body(req.into_body(), &headers, state.config.max_body_bytes).await?;
    let method_name = if method == Method::HEAD {
        "GET".to_owned()
    } else {
        method.as_str().to_owned()
    };
    let parts = RequestParts {
        method: method_name,
        path,
        query,
        if_match: header(&headers, "if-match"),
        if_none_exist: header(&headers, "if-none-exist"),
        body,
        json_patch,
        ret,
        strict: prefer_strict(&headers),
        form,
    };
    let interaction = route(parts)?;
    execute(ctx, &interaction).await
}

/// The parsed body, whether it is a JSON Patch, and a form body's text.
type ReadBody = (Option<serde_json::Value>, bool, Option<String>);

async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<ReadBody> {
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        Error::new(
            ErrorKind::TooLarge,
            format!("the request body exceeds the limit of {limit} bytes"),
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((None, false, None));
    }
    let kind = body_kind(header(headers, "content-type").as_deref(), &bytes)?;
    if kind == BodyKind::Form {
        return Ok((
            None,
            false,
            Some(String::from_utf8_lossy(&bytes).into_owned()),
        ));
    }
    Ok((
        Some(parse_body(kind, &bytes)?),
        kind == BodyKind::JsonPatch,
        None,
    ))
}

fn relative_path(path: &str, base: &str) -> String {
    let base = base.trim_end_matches('/');
    let rest = path.strip_prefix(base).unwrap_or(path);
    percent_decode(rest.trim_start_matches('/'))
}

/// `%XX` decoded (a `+` stays a `+` in a path); bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Prefer: return=minimal|representation|OperationOutcome`; other preferences are ignored.
fn prefer_return(headers: &HeaderMap) -> PreferReturn {
    let prefer = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    prefer
        .split([',', ';'])
        .find_map(
            |p| match p.trim().strip_prefix("return=")?.trim_matches('"') {
                "minimal" => Some(PreferReturn::Minimal),
                "representation" => Some(PreferReturn::Representation),
                "OperationOutcome" => Some(PreferReturn::OperationOutcome),
                _ => None,
            },
        )
        .unwrap_or_default()
}

/// `Prefer: handling=strict` (unknown search parameters are errors).
fn prefer_strict(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split([',', ';']).any(|p| p.trim() == "handling=strict"))
}

/// Anything outside the FHIR base: 404 with an OperationOutcome.
pub async fn not_found(req: Request) -> Response {
    let e = Error::not_found(format!("nothing at {}", req.uri().path()));
    render::error(&e, &render::fallback(false), "")
}

/// The tracing span of a request: method, path and request id; never the query (it may carry an INS).
pub fn make_span(req: &Request) -> Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_and_decoded() {
        assert_eq!(relative_path("/fhir/Patient/1", "/fhir"), "Patient/1");
        assert_eq!(relative_path("/fhir", "/fhir"), "");
        assert_eq!(relative_path("/fhir/a%20b", "/fhir"), "a b");
        assert_eq!(relative_path("/fhir/a+b%2Bc", "/fhir"), "a+b+c");
        assert_eq!(relative_path("/fhir/%C3%A9%FF", "/fhir"), "é\u{fffd}");
    }

    #[test]
    fn prefer_is_parsed() {
        let mut h = HeaderMap::new();
        h.insert("prefer", "handling=strict, return=minimal".parse().unwrap());
        assert_eq!(prefer_return(&h), PreferReturn::Minimal);
        assert_eq!(
            prefer_return(&HeaderMap::new()),
            PreferReturn::Representation
        );
    }
}
