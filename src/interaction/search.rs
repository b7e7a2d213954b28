//! FHIR search: https://hl7.org/fhir/R4/search.html — type, system (`_type`) and compartment searches, GET or
//! POST `_search`; a `searchset` Bundle with `self`/`first`/`next`/`previous` links, `total`, matches and
//! `_include`/`_revinclude` results.

use std::collections::BTreeSet;

use super::{Body, Context, Outcome, Planned, resource};
use crate::error::Result;
use crate::fhir::{BundleBuilder, BundleEntry};
use crate::search::include::{self, Key};
use crate::search::page::{self, Cursor, PagePlan};
use crate::search::query::{self, Include, SearchRequest, Summary, TotalMode};
use crate::search::{shape, trail};
use crate::store::{SearchHit, StoredVersion};

/// A search as parsed from the request line.
#[derive(Debug, Clone)]
pub struct SearchSpec {
    /// The types searched; empty = every type (system search without `_type`).
    pub types: Vec<String>,
    /// `Compartment/id` for `GET [Compartment]/[id]/[type]`.
    pub compartment: Option<(String, String)>,
    /// Query pairs (URL and form body).
    pub pairs: Vec<(String, String)>,
    /// `Prefer: handling=strict`.
    pub strict: bool,
    /// The path the links repeat (`Patient`, ``, `Patient/1/Observation`).
    pub path: String,
}

const MAX_INCLUDED: usize = 1000;

/// Plan a search: run the page and count queries and the includes.
pub async fn plan(ctx: &Context, spec: &SearchSpec) -> Result<Planned> {
    let mut req = query::parse(
        spec.types.clone(),
        &spec.pairs,
        spec.strict,
        &ctx.search.get(),
    )?;
    req.compartment.clone_from(&spec.compartment);
    let plan = if trail::is_trail(&req.types)? {
        trail::restrict(&mut req, spec.strict)?;
        trail::plan(&req, &ctx.base_url, ctx.store.dialect(), &ctx.access)?
    } else {
        req.driver = measured_driver(ctx, &req).await?;
        page::plan(&req, &ctx.base_url, ctx.store.dialect(), &ctx.access)?
    };
    let wants_total = req.summary == Summary::Count || req.total == TotalMode::Accurate;
    if req.summary == Summary::Count || req.count == 0 {
        let total = match wants_total {
            true => Some(ctx.store.count(&plan.count).await?),
            false => None,
        };
        let bundle = links(ctx, spec, &req, &[], false, &plan);
        let bundle = with_total(bundle, total);
        return Ok(Planned::read_only(Outcome::new(
            200,
            Body::Json(bundle.build()),
        )));
    }
    let mut hits = ctx.store.search_page(&plan.page, &plan.kinds).await?;
    let more = hits.len() > req.count;
    hits.truncate(req.count);
    let total = match (wants_total, total_on_page(&req, hits.len(), more)) {
        (false, _) => None,
        (true, Some(n)) => Some(n),
        (true, None) => Some(ctx.store.count(&plan.count).await?),
    };
    if plan.backwards {
        hits.reverse();
    }
    let keys: Vec<Key> = hits
        .iter()
        .map(|h| (h.res_type.clone(), h.id.clone()))
        .collect();
    let matches = ctx.store.current_many(&keys).await?;
    let included = includes(ctx, &req, &keys).await?;
    let mut b = with_total(links(ctx, spec, &req, &hits, more, &plan), total);
    let mut answers = Vec::with_capacity(matches.len() + included.len());
    for (v, mode) in matches
        .into_iter()
        .map(|v| (v, "match"))
        .chain(included.into_iter().map(|v| (v, "include")))
    {
        answers.push(format!("{}/{}", v.res_type, v.id));
        b.push(entry(ctx, v, &req, mode)?);
    }
    let mut outcome = Outcome::new(200, Body::Stored(b.to_bytes()));
    outcome.answers = answers;
    Ok(Planned::read_only(outcome))
}

/// The competing clause with the fewest index rows (see `page::estimates`), if measuring applies.
async fn measured_driver(ctx: &Context, req: &SearchRequest) -> Result<Option<usize>> {
    let mut best: Option<(i64, usize)> = None;
    for (i, q) in page::estimates(req, &ctx.base_url)? {
        let n = ctx.store.count(&q).await?;
        if best.is_none_or(|(m, _)| n < m) {
            best = Some((n, i));
        }
    }
    Ok(best.map(|(_, i)| i))
}

/// The total when the page itself tells it: the first page, with nothing after it, holds every
/// match (most searches of one record: its documents, a patient by INS), so no count query runs.
fn total_on_page(req: &SearchRequest, on_page: usize, more: bool) -> Option<i64> {
    (req.cursor.is_none() && !more).then(|| i64::try_from(on_page).unwrap_or(i64::MAX))
}

fn with_total(b: BundleBuilder, total: Option<i64>) -> BundleBuilder {
    match total {
        Some(t) => b.total(t),
        None => b,
    }
}

/// One entry: the stored bytes as they are, unless `_summary` or `_elements` shape them.
fn entry(
    ctx: &Context,
    v: StoredVersion,
    req: &SearchRequest,
    mode: &'static str,
) -> Result<BundleEntry> {
    let full_url = Some(format!("{}/{}/{}", ctx.base_url, v.res_type, v.id));
    let (resource, stored) = if shape::is_whole(req.summary, &req.elements) {
        let bytes = v
            .content
            .ok_or_else(|| crate::error::Error::internal("a deleted version was matched"))?;
        (None, Some(bytes))
    } else {
        let shaped = shape::apply(resource::parse_stored(&v)?, req.summary, &req.elements);
        (Some(shaped), None)
    };
    Ok(BundleEntry {
        full_url,
        resource,
        stored,
        search_mode: Some(mode),
        ..BundleEntry::default()
    })
}

async fn includes(
    ctx: &Context,
    req: &SearchRequest,
    matches: &[Key],
) -> Result<Vec<StoredVersion>> {
    let mut seen: BTreeSet<Key> = matches.iter().cloned().collect();
    let mut found: Vec<Key> = Vec::new();
    let mut frontier: Vec<Key> = matches.to_vec();
    for round in 0..4 {
        let mut next = Vec::new();
        for (spec, reverse) in specs(req, round) {
            let q = if reverse {
                include::reverse(spec, &frontier, &ctx.access)
            } else {
                include::forward(spec, &frontier, &ctx.access)
            };
            let Some(q) = q else { continue };
            for key in ctx.store.pairs(&q).await? {
                if seen.insert(key.clone()) && found.len() < MAX_INCLUDED {
                    found.push(key.clone());
                    next.push(key);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(ctx.store.current_many(&found).await?)
}

/// The include specs to apply in `round`: all of them first, then only the `:iterate` ones.
fn specs(req: &SearchRequest, round: usize) -> Vec<(&Include, bool)> {
    let fwd = req.includes.iter().map(|s| (s, false));
    let rev = req.revincludes.iter().map(|s| (s, true));
    fwd.chain(rev)
        .filter(|(s, _)| round == 0 || s.iterate)
        .collect()
}

fn links(
    ctx: &Context,
    spec: &SearchSpec,
    req: &SearchRequest,
    hits: &[SearchHit],
    more: bool,
    plan: &PagePlan,
) -> BundleBuilder {
    let base = format!("{}/{}", ctx.base_url, spec.path)
        .trim_end_matches('/')
        .to_owned();
    let params = encode(&req.understood);
    let with = |extra: &str| {
        let q = [params.as_str(), extra]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("&");
        if q.is_empty() {
            base.clone()
        } else {
            format!("{base}?{q}")
        }
    };
    let cursor_param = |c: &Cursor| format!("_cursor={}", page::encode(c));
    let current = req
        .cursor
        .as_ref()
        .map(|c| format!("_cursor={c}"))
        .unwrap_or_default();
    let mut b = BundleBuilder::new("searchset")
        .link("self", with(&current))
        .link("first", with(""));
    let on_first_page = req.cursor.is_none() || (plan.backwards && !more);
    let has_next = if plan.at_end {
        false
    } else if plan.backwards {
        true
    } else {
        more
    };
    if let (true, Some(last)) = (has_next, hits.last()) {
        b = b.link("next", with(&cursor_param(&cursor_of(last, false))));
    }
    if let (false, Some(first)) = (on_first_page, hits.first()) {
        b = b.link("previous", with(&cursor_param(&cursor_of(first, true))));
    }
    // The last page: the final `_count` rows, read backwards from the end (keyset pages need not
    // line up with the forward ones). Where there is no next page, this page is the last.
    let last = if has_next && !hits.is_empty() {
        with(&cursor_param(&Cursor::end()))
    } else {
        with(&current)
    };
    b.link("last", last)
}

fn cursor_of(hit: &SearchHit, backwards: bool) -> Cursor {
    Cursor {
        backwards,
        at_end: false,
        keys: hit.keys.clone(),
        res_type: hit.res_type.clone(),
        id: hit.id.clone(),
    }
}

fn encode(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::total_on_page;
    use crate::search::index::Extractor;
    use crate::search::query::{SearchRequest, parse};

    fn request(pairs: &[(&str, &str)]) -> SearchRequest {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        parse(vec!["Patient".into()], &pairs, false, Extractor::r4()).unwrap()
    }

    #[test]
    fn a_first_page_with_nothing_after_it_is_the_total() {
        let req = request(&[("gender", "female")]);
        assert_eq!(total_on_page(&req, 3, false), Some(3));
        assert_eq!(total_on_page(&req, 0, false), Some(0));
    }

    #[test]
    fn a_full_page_or_a_later_one_needs_the_count() {
        let req = request(&[("gender", "female"), ("_count", "2")]);
        assert_eq!(total_on_page(&req, 2, true), None);
        let later = request(&[("gender", "female"), ("_cursor", "abc")]);
        assert_eq!(total_on_page(&later, 1, false), None);
    }
}
