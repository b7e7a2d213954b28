//! Matching for conditional interactions (`If-None-Exist`, `PUT/PATCH/DELETE [type]?criteria`, conditional
//! references in transactions), with search semantics for `_id` and `identifier` (token: `system|code`,
//! `|code`, `system|`, `code`; `a,b` is OR; repetition is AND). Other parameters are refused with 400 rather
//! than silently ignored, since ignoring one could match — and overwrite — the wrong resource.

use std::collections::BTreeSet;

use super::Context;
use crate::error::{Error, Result};
use crate::fhir::{Id, ResourceType};

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
        for (name, _) in &params {
            if name != "_id" && name != "identifier" {
                return Err(Error::invalid(format!(
                    "conditional matching supports _id and identifier; '{name}' is not supported"
                )));
            }
        }
        Ok(Self { params })
    }
}

/// The ids of live `ty` resources matching `criteria` (sorted).
pub async fn matches(ctx: &Context, ty: &ResourceType, criteria: &Criteria) -> Result<Vec<Id>> {
    let mut result: Option<BTreeSet<String>> = None;
    for (name, value) in &criteria.params {
        let mut any = BTreeSet::new();
        for alt in value.split(',') {
            any.extend(match_one(ctx, ty, name, alt).await?);
        }
        result = Some(match result {
            None => any,
            Some(prev) => prev.intersection(&any).cloned().collect(),
        });
    }
    result
        .unwrap_or_default()
        .into_iter()
        .map(|id| Id::parse(&id))
        .collect()
}

async fn match_one(
    ctx: &Context,
    ty: &ResourceType,
    name: &str,
    value: &str,
) -> Result<Vec<String>> {
    if name == "_id" {
        let live = ctx
            .store
            .current(ty.as_str(), value)
            .await?
            .is_some_and(|v| !v.deleted);
        return Ok(if live {
            vec![value.to_owned()]
        } else {
            Vec::new()
        });
    }
    let (system, code) = parse_token(value);
    Ok(ctx
        .store
        .find_token(ty.as_str(), name, system, code, 10_000)
        .await?)
}

/// Split a token value into (system, code): `s|c` → (s, c), `|c` → ("", c), `s|` → (s, any), `c` → (any, c).
fn parse_token(value: &str) -> (Option<&str>, Option<&str>) {
    match value.split_once('|') {
        Some((s, "")) => (Some(s), None),
        Some((s, c)) => (Some(s), Some(c)),
        None => (None, Some(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_as_the_spec_says() {
        assert_eq!(parse_token("s|c"), (Some("s"), Some("c")));
        assert_eq!(parse_token("|c"), (Some(""), Some("c")));
        assert_eq!(parse_token("s|"), (Some("s"), None));
        assert_eq!(parse_token("c"), (None, Some("c")));
    }

    #[test]
    fn criteria_refuse_unknown_parameters_and_skip_result_ones() {
        assert!(Criteria::parse("identifier=a%7Cb&_format=json").is_ok());
        assert!(Criteria::parse("name=x").is_err());
        assert!(Criteria::parse("_format=json").is_err());
    }
}
