//! Evaluating a TestScript `assert` against the last or a named exchange
//! (<https://hl7.org/fhir/R4/testscript-definitions.html#TestScript.setup.action.assert>).

use super::exchange::{Exchange, header, mime};
use super::minimum::contains_minimum;
use super::operators::{Operator, apply};
use super::path::{evaluate_text, to_fhirpath};
use super::state::{Source, State, flag, text};
use serde_json::Value;

/// What an assert looks at: an exchange (request and response) and/or a resource.
struct Target<'a> {
    exchange: Option<&'a Exchange>,
    resource: Option<&'a Value>,
    request: bool,
}

/// The HTTP status of an R4/STU3 `assert.response` code.
pub fn response_status(code: &str) -> Option<u16> {
    Some(match code {
        "okay" => 200,
        "created" => 201,
        "noContent" => 204,
        "notModified" => 304,
        "bad" => 400,
        "forbidden" => 403,
        "notFound" => 404,
        "methodNotAllowed" => 405,
        "conflict" => 409,
        "gone" => 410,
        "preconditionFailed" => 412,
        "unprocessable" => 422,
        _ => return None,
    })
}

/// Checks every rule the assert carries; `Ok` with a short description of what passed,
/// `Err` with why it failed (unknown operator, missing source, unmet condition).
pub fn evaluate(state: &State, a: &Value) -> Result<String, String> {
    let target = target(state, a)?;
    let op = match text(a, "operator") {
        Some(code) => Some(Operator::parse(code).ok_or(format!("unknown operator {code}"))?),
        None => None,
    };
    let mut checked = Vec::new();
    for (key, check) in CHECKS {
        if a.get(*key).is_some() {
            check(state, a, &target, op)?;
            checked.push(*key);
        }
    }
    if a.get("expression").is_none()
        && a.get("path").is_none()
        && a.get("compareToSourceId").is_some()
    {
        check_expression(state, a, &target, op)?;
        checked.push("compareToSourceId");
    }
    if checked.is_empty() {
        return Err("the assert has no rule this runner knows".into());
    }
    Ok(checked.join(", "))
}

type Check = fn(&State, &Value, &Target<'_>, Option<Operator>) -> Result<(), String>;

const CHECKS: &[(&str, Check)] = &[
    ("response", check_response),
    ("responseCode", check_response_code),
    ("resource", check_resource),
    ("contentType", check_content_type),
    ("headerField", check_header),
    ("minimumId", check_minimum),
    ("navigationLinks", check_links),
    ("expression", check_expression),
    ("path", check_expression),
    ("requestMethod", check_method),
    ("requestURL", check_url),
];

fn target<'a>(state: &'a State, a: &Value) -> Result<Target<'a>, String> {
    let request = text(a, "direction") == Some("request");
    let (exchange, resource) = match text(a, "sourceId") {
        Some(id) => match state
            .source(id)
            .ok_or(format!("sourceId {id} names nothing"))?
        {
            Source::Exchange(ex) => (Some(ex), None),
            Source::Fixture(v) => (None, Some(v)),
        },
        None => (state.last.as_ref(), None),
    };
    let resource = resource.or_else(|| {
        let ex = exchange?;
        if request {
            ex.request.resource.as_ref()
        } else {
            ex.response.resource.as_ref()
        }
    });
    Ok(Target {
        exchange,
        resource,
        request,
    })
}

fn exchange<'a>(t: &Target<'a>) -> Result<&'a Exchange, String> {
    t.exchange
        .ok_or_else(|| "no request has been made yet".to_owned())
}

fn verdict(
    op: Option<Operator>,
    actual: &[String],
    expected: &str,
    what: &str,
) -> Result<(), String> {
    let op = op.unwrap_or(Operator::Equals);
    if apply(op, actual, expected) {
        Ok(())
    } else {
        Err(format!(
            "{what}: expected {} '{expected}', got {actual:?}",
            op.code()
        ))
    }
}

fn check_response(
    _: &State,
    a: &Value,
    t: &Target<'_>,
    op: Option<Operator>,
) -> Result<(), String> {
    let code = text(a, "response").unwrap_or_default();
    let status = response_status(code).ok_or(format!("unknown response code {code}"))?;
    let ex = exchange(t)?;
    let actual = [ex.response.status.to_string()];
    verdict(
        op,
        &actual,
        &status.to_string(),
        &format!("response {code}"),
    )
    .map_err(|e| with_body(e, ex))
}

fn check_response_code(
    _: &State,
    a: &Value,
    t: &Target<'_>,
    op: Option<Operator>,
) -> Result<(), String> {
    let expected = a.get("responseCode").map(plain).unwrap_or_default();
    let ex = exchange(t)?;
    let actual = [ex.response.status.to_string()];
    verdict(op, &actual, &expected, "responseCode").map_err(|e| with_body(e, ex))
}

fn check_resource(
    _: &State,
    a: &Value,
    t: &Target<'_>,
    op: Option<Operator>,
) -> Result<(), String> {
    let actual: Vec<String> = t
        .resource
        .and_then(|r| text(r, "resourceType"))
        .map(str::to_owned)
        .into_iter()
        .collect();
    verdict(
        op,
        &actual,
        text(a, "resource").unwrap_or_default(),
        "resource type",
    )
}

fn check_content_type(
    _: &State,
    a: &Value,
    t: &Target<'_>,
    op: Option<Operator>,
) -> Result<(), String> {
    let ex = exchange(t)?;
    let headers = if t.request {
        &ex.request.headers
    } else {
        &ex.response.headers
    };
    let actual: Vec<String> = header(headers, "content-type")
        .map(|c| format_of(&c))
        .into_iter()
        .collect();
    let expected = format_of(&mime(text(a, "contentType").unwrap_or_default()).unwrap_or_default());
    verdict(op, &actual, &expected, "content type")
}

/// `json`, `xml`, `ttl` for FHIR and plain media types, else the bare media type.
fn format_of(media: &str) -> String {
    let base = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    for short in ["json", "xml", "turtle"] {
        if base.ends_with(&format!("/{short}")) || base.ends_with(&format!("+{short}")) {
            return short.to_owned();
        }
    }
    base
}

fn check_header(
    state: &State,
    a: &Value,
    t: &Target<'_>,
    op: Option<Operator>,
) -> Result<(), String> {
    let ex = exchange(t)?;
    let field = text(a, "headerField").unwrap_or_default();
    let headers = if t.request {
        &ex.request.headers
    } else {
        &ex.response.headers
    };
    let actual: Vec<String> = header(headers, field).into_iter().collect();
    let expected = text(a, "value").map(|v| state.subst(v));
    let op = op.or(expected.is_none().then_some(Operator::NotEmpty));
    verdict(
        op,
        &actual,
        &expected.unwrap_or_default(),
        &format!("header {field}"),
    )
}

fn check_minimum(
    state: &State,
    a: &Value,
    t: &Target<'_>,
    _: Option<Operator>,
) -> Result<(), String> {
    let id = text(a, "minimumId").unwrap_or_default();
    let minimum = state
        .fixture_body(id)
        .or_else(|| state.resource(id).cloned());
    let minimum = minimum.ok_or(format!("minimumId {id} names no fixture"))?;
    let resource = t.resource.ok_or("no resource to compare with minimumId")?;
    contains_minimum(resource, &minimum)
        .map_err(|path| format!("minimumId {id}: {path} differs or is missing"))
}

fn check_links(_: &State, a: &Value, t: &Target<'_>, _: Option<Operator>) -> Result<(), String> {
    if flag(a, "navigationLinks") != Some(true) {
        return Ok(());
    }
    let links = t
        .resource
        .and_then(|r| r.get("link"))
        .and_then(Value::as_array);
    let has = |rel: &str| {
        links
            .into_iter()
            .flatten()
            .any(|l| text(l, "relation") == Some(rel))
    };
    match ["first", "last"].into_iter().find(|rel| !has(rel)) {
        Some(rel) => Err(format!("navigationLinks: the Bundle has no '{rel}' link")),
        None => Ok(()),
    }
}

fn check_expression(
    state: &State,
    a: &Value,
    t: &Target<'_>,
    op: Option<Operator>,
) -> Result<(), String> {
    let expr = expression(state, a, "expression", "path")
        .or_else(|| expression(state, a, "compareToSourceExpression", "compareToSourcePath"))
        .unwrap_or_default();
    let resource = t
        .resource
        .ok_or("no resource to evaluate the expression on")?;
    let actual = evaluate_text(&expr, resource).map_err(|e| format!("{expr}: {e}"))?;
    let (op, expected) = match text(a, "compareToSourceId") {
        Some(id) => (
            op.or(Some(Operator::Equals)),
            compare_value(state, a, id)?.join(","),
        ),
        None => match text(a, "value") {
            Some(v) => (op, state.subst(v)),
            None => (op.or(Some(Operator::Eval)), String::new()),
        },
    };
    verdict(op, &actual, &expected, &expr)
}

fn expression(state: &State, a: &Value, expr_key: &str, path_key: &str) -> Option<String> {
    text(a, expr_key)
        .map(|e| state.subst(e))
        .or_else(|| text(a, path_key).map(to_fhirpath))
}

fn compare_value(state: &State, a: &Value, id: &str) -> Result<Vec<String>, String> {
    let source = state
        .resource(id)
        .ok_or(format!("compareToSourceId {id} names nothing"))?;
    let expr = expression(state, a, "compareToSourceExpression", "compareToSourcePath")
        .or_else(|| expression(state, a, "expression", "path"))
        .ok_or("compareToSourceId without an expression or path")?;
    evaluate_text(&expr, source).map_err(|e| format!("{expr}: {e}"))
}

fn check_method(_: &State, a: &Value, t: &Target<'_>, op: Option<Operator>) -> Result<(), String> {
    let actual = [exchange(t)?.request.method.to_lowercase()];
    let expected = text(a, "requestMethod").unwrap_or_default().to_lowercase();
    verdict(op, &actual, &expected, "request method")
}

fn check_url(state: &State, a: &Value, t: &Target<'_>, op: Option<Operator>) -> Result<(), String> {
    let url = &exchange(t)?.request.url;
    let expected = state.subst(text(a, "requestURL").unwrap_or_default());
    let relative = url
        .strip_prefix(&state.base)
        .unwrap_or(url)
        .trim_start_matches('/');
    let actual = if expected.starts_with("http") {
        url.as_str()
    } else {
        relative
    };
    let expected = if expected.starts_with("http") {
        expected.as_str()
    } else {
        expected.trim_start_matches('/')
    };
    verdict(op, &[actual.to_owned()], expected, "request URL")
}

/// Appends the start of the response body (an OperationOutcome says why) to a failure.
fn with_body(message: String, ex: &Exchange) -> String {
    let body: String = ex.response.body.chars().take(300).collect();
    if body.is_empty() {
        message
    } else {
        format!("{message} ({body})")
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "assert_tests.rs"]
mod tests;
