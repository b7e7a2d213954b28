//! Matching for conditional interactions (`If-None-Exist`, `PUT/PATCH/DELETE [type]?criteria`, conditional
//! references in transactions) with full search semantics: the criteria run as a strict search (an unknown
//! parameter is a 400 rather than silently ignored, since ignoring one could match — and overwrite — the
//! wrong resource).

use super::Context;
use crate::error::{Error, Result};
use crate::fhir::{Id, ResourceType};
use crate::search::{page, query};

/// Parsed conditional criteria: `name=value` pairs, ANDed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    params: Vec<(String, String)>,
}

/// Parameters that shape the response and take no part in matching.
const RESULT_PARAMS: &[&str] = &["_format", "_pretty", "_summary", "_elements"];

impl Criteria {
    /// Parse a query string (`identifier=s%7Cv&_id=x`); at least one criterion is required.
    pub fn parse(query: &str) -> Result<Self> {
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !RESULT_PARAMS.contains(&k.as_str()))
            .collect();
        if params.is_empty() {
            return Err(Error::invalid("conditional criteria are empty"));
        }
        Ok(Self { params })
    }
}

/// The ids of live `ty` resources matching `criteria`: none, one, or (at most) two when several match.
pub async fn matches(ctx: &Context, ty: &ResourceType, criteria: &Criteria) -> Result<Vec<Id>> {
    let mut req = query::parse(
        vec![ty.to_string()],
        &criteria.params,
        true,
        &ctx.search.get(),
    )?;
    if req.clauses.is_empty() {
        return Err(Error::invalid(
            "conditional criteria must contain at least one search parameter",
        ));
    }
    req.count = 2;
    req.sort.clear();
    req.includes.clear();
    req.revincludes.clear();
    let plan = page::plan(&req, &ctx.base_url, ctx.store.dialect(), &ctx.access)?;
    let hits = ctx.store.search_page(&plan.page, &plan.kinds).await?;
    hits.iter().take(2).map(|h| Id::parse(&h.id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_skip_result_parameters() {
        assert!(Criteria::parse("identifier=a%7Cb&_format=json").is_ok());
        assert!(Criteria::parse("_format=json").is_err());
    }
}
