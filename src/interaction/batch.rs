//! batch and transaction Bundles at `POST [base]`: https://hl7.org/fhir/R4/http.html#transaction
//! A batch runs each entry independently through [`super::execute`]; a transaction is in `transaction.rs`.

use base64::Engine;
use serde_json::{Value, json};

use super::{
    Body, Context, Outcome, PreferReturn, RequestParts, execute, provide, route, transaction,
};
use crate::error::{Error, Result};
use crate::fhir::{BundleBuilder, BundleEntry, Issue, Severity, operation_outcome};

/// One parsed entry of a batch or transaction Bundle.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position in the Bundle.
    pub index: usize,
    /// `entry.fullUrl`.
    pub full_url: Option<String>,
    /// `entry.request.method`.
    pub method: String,
    /// `entry.request.url`, relative to the base.
    pub url: String,
    /// `entry.resource`.
    pub resource: Option<Value>,
    /// `entry.request.ifMatch`.
    pub if_match: Option<String>,
    /// `entry.request.ifNoneExist`.
    pub if_none_exist: Option<String>,
}

/// Run a batch or transaction Bundle, answering the response Bundle (200).
pub async fn execute_bundle(ctx: &Context, body: &Value, ret: PreferReturn) -> Result<Outcome> {
    if body.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(Error::invalid("POST [base] takes a Bundle").at("resourceType"));
    }
    let entries = parse_entries(ctx, body)?;
    let response = match body.get("type").and_then(Value::as_str) {
        Some("batch") => run_batch(ctx, &entries, ret).await,
        Some("transaction") => {
            if provide::is_submission(body, &entries) {
                provide::check(ctx, &entries).await?;
            }
            transaction::run(ctx, &entries, ret).await?
        }
        other => {
            return Err(Error::invalid(format!(
                "Bundle.type must be batch or transaction, not {}",
                other.unwrap_or("missing")
            ))
            .at("Bundle.type"));
        }
    };
    Ok(Outcome::new(200, Body::Json(response)))
}

async fn run_batch(ctx: &Context, entries: &[Entry], ret: PreferReturn) -> Value {
    let mut b = BundleBuilder::new("batch-response");
    for e in entries {
        let result = match entry_interaction(ctx, e) {
            Ok(i) => execute(ctx, &i).await,
            Err(err) => Err(err),
        };
        b.push(response_entry(result, ret));
    }
    b.build()
}

fn parse_entries(ctx: &Context, body: &Value) -> Result<Vec<Entry>> {
    let list = body
        .get("entry")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.iter()
        .enumerate()
        .map(|(index, e)| parse_entry(ctx, index, e))
        .collect()
}

fn parse_entry(ctx: &Context, index: usize, e: &Value) -> Result<Entry> {
    let at = format!("Bundle.entry[{index}].request");
    let req = e
        .get("request")
        .ok_or_else(|| Error::invalid("entry has no request").at(&at))?;
    let text = |k: &str| req.get(k).and_then(Value::as_str).map(str::to_owned);
    let method = text("method").ok_or_else(|| Error::invalid("request has no method").at(&at))?;
    let url = text("url").ok_or_else(|| Error::invalid("request has no url").at(&at))?;
    let url = url
        .strip_prefix(&format!("{}/", ctx.base_url))
        .map_or(url.clone(), str::to_owned);
    Ok(Entry {
        index,
        full_url: e.get("fullUrl").and_then(Value::as_str).map(str::to_owned),
        method,
        url,
        resource: e.get("resource").cloned(),
        if_match: text("ifMatch"),
        if_none_exist: text("ifNoneExist"),
    })
}

/// The interaction of an entry; a nested Bundle is refused.
pub fn entry_interaction(ctx: &Context, e: &Entry) -> Result<super::Interaction> {
    match route(parts(ctx, e))? {
        super::Interaction::Bundle { .. } => {
            Err(Error::invalid("a Bundle entry cannot post another Bundle")
                .at(format!("Bundle.entry[{}].request", e.index)))
        }
        i => Ok(i),
    }
}

/// The request parts of an entry, as if it had come over HTTP.
pub fn parts(_ctx: &Context, e: &Entry) -> RequestParts {
    let (path, query) = e.url.split_once('?').unwrap_or((&e.url, ""));
    let (body, json_patch) = match (&e.method[..], &e.resource) {
        ("PATCH", Some(r)) => match binary_patch(r) {
            Some(ops) => (Some(ops), true),
            None => (Some(r.clone()), false),
        },
        (_, r) => (r.clone(), false),
    };
    RequestParts {
        method: e.method.clone(),
        path: path.trim_start_matches('/').to_owned(),
        query: query.to_owned(),
        if_match: e.if_match.clone(),
        if_none_exist: e.if_none_exist.clone(),
        body,
        json_patch,
        ret: PreferReturn::Representation,
        strict: false,
        form: None,
    }
}

/// A JSON Patch carried in a Binary (`contentType` application/json-patch+json, base64 `data`).
fn binary_patch(r: &Value) -> Option<Value> {
    if r.get("resourceType")?.as_str()? != "Binary" {
        return None;
    }
    let data = r.get("data")?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A response entry for an entry's result, honouring `ret` for written resources.
pub fn response_entry(result: Result<Outcome>, ret: PreferReturn) -> BundleEntry {
    match result {
        Ok(o) => ok_entry(o, ret),
        Err(e) => BundleEntry {
            response: Some(json!({
                "status": crate::api::status_line(crate::api::status_of(e.kind)),
                "outcome": crate::api::outcome_of(&e),
            })),
            ..BundleEntry::default()
        },
    }
}

fn ok_entry(o: Outcome, ret: PreferReturn) -> BundleEntry {
    let mut response = json!({ "status": crate::api::status_line(o.status) });
    if let Some(l) = &o.location {
        response["location"] = json!(l);
    }
    if let Some(v) = o.version {
        response["etag"] = json!(v.etag());
    }
    if let Some(t) = o.last_modified {
        response["lastModified"] = json!(t.to_fhir());
    }
    let body = match o.body {
        Body::Empty => None,
        Body::Json(v) => Some(v),
        Body::Stored(b) => serde_json::from_slice(&b).ok(),
    };
    let resource = match (o.is_write, ret) {
        (true, PreferReturn::Minimal) => None,
        (true, PreferReturn::OperationOutcome) => {
            response["outcome"] = operation_outcome(&[Issue {
                severity: Severity::Information,
                code: "informational",
                diagnostics: "ok".into(),
                expression: None,
            }]);
            None
        }
        _ => body,
    };
    let full_url = o
        .location
        .as_deref()
        .map(|l| l.split("/_history/").next().unwrap_or(l).to_owned());
    BundleEntry {
        full_url: resource.as_ref().and(full_url),
        resource,
        response: Some(response),
        ..BundleEntry::default()
    }
}
