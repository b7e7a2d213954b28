//! FHIR history: https://hl7.org/fhir/R4/http.html#history — instance, type and system level, newest first,
//! with `_count`, `_since`, `_at` and keyset paging (`_page`: an opaque cursor, stable while others write).

use serde_json::json;

use super::{Body, Context, Outcome, Planned};
use crate::error::{Error, Result};
use crate::fhir::{BundleBuilder, BundleEntry, Id, Instant, ResourceType};
use crate::store::{HistoryQuery, StoredVersion};

/// Which history.
#[derive(Debug, Clone)]
pub enum HistoryScope {
    /// `GET [base]/_history`
    System,
    /// `GET [type]/_history`
    Type(ResourceType),
    /// `GET [type]/[id]/_history`
    Instance(ResourceType, Id),
}

/// History parameters.
#[derive(Debug, Clone, Default)]
pub struct HistoryParams {
    /// `_count` (default 20, at most 1000).
    pub count: Option<i64>,
    /// `_since`.
    pub since: Option<Instant>,
    /// `_at` (versions current at that instant: those last updated at or before it).
    pub at: Option<Instant>,
    /// `_page`: keyset cursor from a `next` link.
    pub page: Option<i64>,
}

const DEFAULT_COUNT: i64 = 20;
const MAX_COUNT: i64 = 1000;

/// Plan a history page.
pub async fn plan(ctx: &Context, scope: &HistoryScope, params: &HistoryParams) -> Result<Planned> {
    let count = params.count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_COUNT);
    let (res_type, id, path) = match scope {
        HistoryScope::System => (None, None, "_history".to_owned()),
        HistoryScope::Type(t) => (Some(t.to_string()), None, format!("{t}/_history")),
        HistoryScope::Instance(t, i) => {
            if ctx.current(t.as_str(), i.as_str()).await?.is_none() {
                return Err(Error::not_found(format!("{t}/{i} is not known")));
            }
            (
                Some(t.to_string()),
                Some(i.to_string()),
                format!("{t}/{i}/_history"),
            )
        }
    };
    let query = HistoryQuery {
        res_type,
        id,
        since: params.since,
        before: params.at,
        before_seq: params.page,
        limit: count + 1,
        visible: ctx.visibility(
            match scope {
                HistoryScope::System => None,
                HistoryScope::Type(t) | HistoryScope::Instance(t, _) => Some(t.as_str()),
            },
            "v.res_type",
            "v.res_id",
        ),
    };
    let mut versions = ctx.store.history(&query).await?;
    let total = ctx.store.history_count(&query).await?;
    let more = versions.len() as i64 > count;
    versions.truncate(usize::try_from(count).unwrap_or(0));
    let answers = versions
        .iter()
        .filter(|v| !v.deleted)
        .map(|v| format!("{}/{}", v.res_type, v.id))
        .collect();
    let bundle = build(ctx, &path, params, count, total, versions, more);
    let mut outcome = Outcome::new(200, Body::Stored(bundle));
    outcome.answers = answers;
    Ok(Planned::read_only(outcome))
}

fn build(
    ctx: &Context,
    path: &str,
    params: &HistoryParams,
    count: i64,
    total: i64,
    versions: Vec<StoredVersion>,
    more: bool,
) -> Vec<u8> {
    let base = format!("{}/{path}?_count={count}", ctx.base_url);
    let filters = filter_params(params);
    let mut b = BundleBuilder::new("history")
        .total(total)
        .timestamp(Instant::now().to_fhir())
        .link(
            "self",
            format!("{base}{filters}{}", page_param(params.page)),
        );
    if params.page.is_some() {
        b = b.link("first", format!("{base}{filters}"));
    }
    if more && let Some(last) = versions.last() {
        b = b.link("next", format!("{base}{filters}&_page={}", last.seq));
    }
    for v in versions {
        b.push(entry(ctx, v));
    }
    b.to_bytes()
}

fn filter_params(p: &HistoryParams) -> String {
    let mut s = String::new();
    if let Some(since) = p.since {
        s.push_str(&format!("&_since={}", since.to_fhir()));
    }
    if let Some(at) = p.at {
        s.push_str(&format!("&_at={}", at.to_fhir()));
    }
    s
}

fn page_param(page: Option<i64>) -> String {
    page.map(|p| format!("&_page={p}")).unwrap_or_default()
}

/// One version, its stored bytes as they are (a deletion has none).
fn entry(ctx: &Context, v: StoredVersion) -> BundleEntry {
    let full_url = format!("{}/{}/{}", ctx.base_url, v.res_type, v.id);
    let (status, url) = match v.method.as_str() {
        "POST" => ("201 Created", v.res_type.clone()),
        "DELETE" => ("204 No Content", format!("{}/{}", v.res_type, v.id)),
        _ if v.version == 1 => ("201 Created", format!("{}/{}", v.res_type, v.id)),
        _ => ("200 OK", format!("{}/{}", v.res_type, v.id)),
    };
    let stored = if v.deleted { None } else { v.content };
    BundleEntry {
        full_url: Some(full_url),
        stored,
        request: Some((v.method, url)),
        response: Some(json!({
            "status": status,
            "etag": format!("W/\"{}\"", v.version),
            "lastModified": v.last_updated.to_fhir(),
        })),
        ..BundleEntry::default()
    }
}

/// Parse `_count`, `_since`, `_at`, `_page` from query pairs; unknown parameters are ignored.
pub fn parse_params(pairs: &[(String, String)]) -> Result<HistoryParams> {
    let mut p = HistoryParams::default();
    for (k, v) in pairs {
        match k.as_str() {
            "_count" => {
                p.count = Some(
                    v.parse()
                        .map_err(|_| Error::invalid(format!("invalid _count '{v}'")))?,
                );
            }
            "_since" => p.since = Some(Instant::parse_fhir(v)?),
            "_at" => p.at = Some(Instant::parse_fhir(v)?),
            "_page" => {
                p.page = Some(
                    v.parse()
                        .map_err(|_| Error::invalid(format!("invalid _page '{v}'")))?,
                );
            }
            _ => {}
        }
    }
    Ok(p)
}
