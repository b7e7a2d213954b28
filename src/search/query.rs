//! Parsing a search query string into a [`SearchRequest`]: https://hl7.org/fhir/R4/search.html
//!
//! Parameter names are resolved against the parameters the server knows for the type (core R4 and custom
//! SearchParameters); an unknown one is ignored and left out of the `self` link, or refused with
//! `Prefer: handling=strict`. An unsupported modifier or a malformed control parameter is a 400.

use super::index::{Extractor, ParamKind};
use crate::error::{Error, Result};

/// A search modifier (`name:modifier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modifier {
    /// No modifier.
    None,
    /// `:missing`
    Missing,
    /// `:exact`
    Exact,
    /// `:contains`
    Contains,
    /// `:text`
    Text,
    /// `:not`
    Not,
    /// `:above`
    Above,
    /// `:below`
    Below,
    /// `:identifier` (references)
    Identifier,
    /// `:of-type` (identifiers: `system|code|value`)
    OfType,
    /// `:[Type]` (references)
    Type(String),
}

/// One AND-ed criterion; its values are OR-ed.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// A parameter of the resource itself.
    Param {
        code: String,
        kind: ParamKind,
        modifier: Modifier,
        values: Vec<String>,
    },
    /// `ref:Type.inner…`: resources whose reference `code` points to a target matching `inner`.
    Chain {
        code: String,
        targets: Vec<String>,
        inner: Box<Clause>,
    },
    /// `_has:Source:ref:inner…`: resources referenced by a `Source` matching `inner` through `ref`.
    Has {
        source: String,
        reference: String,
        inner: Box<Clause>,
    },
    /// A composite parameter: each value is `c0$c1…`, the components of `kinds`.
    Composite {
        code: String,
        kinds: Vec<ParamKind>,
        values: Vec<String>,
    },
    /// `_id`
    Id(Vec<String>),
    /// `_lastUpdated`
    LastUpdated(Vec<String>),
}

/// A `_sort` key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// Parameter code (`_id`, `_lastUpdated` included).
    pub code: String,
    /// Its kind (`Special` for `_id`/`_lastUpdated`).
    pub kind: ParamKind,
    /// Descending (`-code`).
    pub descending: bool,
}

/// `_include` / `_revinclude` specification `Source:param[:Target]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The resource type holding the reference.
    pub source: String,
    /// The reference parameter, or `*`.
    pub param: String,
    /// Restrict to targets of this type.
    pub target: Option<String>,
    /// `:iterate` (or the STU3 `:recurse`).
    pub iterate: bool,
}

/// `_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalMode {
    /// No total.
    None,
    /// Exact count (also answers `estimate`).
    Accurate,
}

/// `_summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    /// Whole resources.
    False,
    /// Summary elements only.
    True,
    /// Text, id, meta and mandatory elements.
    Text,
    /// Everything but the narrative.
    Data,
    /// Only the count.
    Count,
}

/// A parsed search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The types searched (one, or `_type` at system level).
    pub types: Vec<String>,
    /// `Compartment/id` for compartment searches.
    pub compartment: Option<(String, String)>,
    /// AND-ed clauses.
    pub clauses: Vec<Clause>,
    /// `_sort` keys.
    pub sort: Vec<SortKey>,
    /// `_count`.
    pub count: usize,
    /// `_cursor` (opaque).
    pub cursor: Option<String>,
    /// `_total`.
    pub total: TotalMode,
    /// `_summary`.
    pub summary: Summary,
    /// `_elements`.
    pub elements: Vec<String>,
    /// `_include`.
    pub includes: Vec<Include>,
    /// `_revinclude`.
    pub revincludes: Vec<Include>,
    /// The parameters understood, in order, for the `self` link (without `_cursor`).
    pub understood: Vec<(String, String)>,
    /// The clause that drives the query, when measured (`page::estimates`); else chosen by rank.
    pub driver: Option<usize>,
}

/// Default and maximum `_count`.
pub const DEFAULT_COUNT: usize = 20;
/// Maximum `_count`.
pub const MAX_COUNT: usize = 1000;

const IGNORED: &[&str] = &["_format", "_pretty"];

/// Parse `pairs` for a search over `types`; `strict` refuses unknown parameters.
pub fn parse(
    types: Vec<String>,
    pairs: &[(String, String)],
    strict: bool,
    ext: &Extractor,
) -> Result<SearchRequest> {
    let mut req = SearchRequest {
        types,
        compartment: None,
        clauses: Vec::new(),
        sort: Vec::new(),
        count: DEFAULT_COUNT,
        cursor: None,
        total: TotalMode::Accurate,
        summary: Summary::False,
        elements: Vec::new(),
        includes: Vec::new(),
        revincludes: Vec::new(),
        understood: Vec::new(),
        driver: None,
    };
    for (name, value) in pairs {
        if IGNORED.contains(&name.as_str()) {
            continue;
        }
        if name == "_type" {
            req.understood.push((name.clone(), value.clone()));
            continue;
        }
        let known = control(&mut req, name, value, ext)? || criterion(&mut req, name, value, ext)?;
        if known {
            if name != "_cursor" {
                req.understood.push((name.clone(), value.clone()));
            }
        } else if strict {
            return Err(
                Error::invalid(format!("unknown search parameter '{name}'")).at(name.clone())
            );
        }
    }
    Ok(req)
}

fn control(req: &mut SearchRequest, name: &str, value: &str, ext: &Extractor) -> Result<bool> {
    match name {
        "_count" => {
            let n: usize = value
                .parse()
                .map_err(|_| Error::invalid(format!("invalid _count '{value}'")).at("_count"))?;
            req.count = n.min(MAX_COUNT);
        }
        "_cursor" => req.cursor = Some(value.to_owned()),
        "_total" => {
            req.total = match value {
                "none" => TotalMode::None,
                "estimate" | "accurate" => TotalMode::Accurate,
                _ => return Err(Error::invalid(format!("invalid _total '{value}'")).at("_total")),
            }
        }
        "_summary" => req.summary = parse_summary(value)?,
        "_elements" => {
            req.elements = value
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        }
        "_sort" => req.sort = parse_sort(&req.types, value, ext)?,
        _ => return include(req, name, value),
    }
    Ok(true)
}

fn include(req: &mut SearchRequest, name: &str, value: &str) -> Result<bool> {
    let (base, iterate) = match name.split_once(':') {
        Some((b, "iterate" | "recurse")) => (b, true),
        Some((b, m)) if b == "_include" || b == "_revinclude" => {
            return Err(
                Error::invalid(format!("unsupported modifier '{m}' on {b}")).at(name.to_owned())
            );
        }
        _ => (name, false),
    };
    if base != "_include" && base != "_revinclude" {
        return Ok(false);
    }
    let spec = parse_include(value, iterate)?;
    if base == "_include" {
        req.includes.push(spec)
    } else {
        req.revincludes.push(spec)
    }
    Ok(true)
}

fn parse_include(value: &str, iterate: bool) -> Result<Include> {
    if value == "*" {
        return Ok(Include {
            source: "*".into(),
            param: "*".into(),
            target: None,
            iterate,
        });
    }
    let mut parts = value.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(s), Some(p), t, None) if !s.is_empty() && !p.is_empty() => {
            crate::fhir::ResourceType::parse(s)
                .map_err(|_| Error::invalid(format!("unknown type in include '{value}'")))?;
            Ok(Include {
                source: s.into(),
                param: p.into(),
                target: t.map(str::to_owned),
                iterate,
            })
        }
        _ => Err(Error::invalid(format!(
            "invalid include '{value}': want Type:param[:Target]"
        ))),
    }
}

fn parse_summary(value: &str) -> Result<Summary> {
    Ok(match value {
        "true" => Summary::True,
        "false" => Summary::False,
        "text" => Summary::Text,
        "data" => Summary::Data,
        "count" => Summary::Count,
        _ => return Err(Error::invalid(format!("invalid _summary '{value}'")).at("_summary")),
    })
}

fn parse_sort(types: &[String], value: &str, ext: &Extractor) -> Result<Vec<SortKey>> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|raw| {
            let (descending, code) = raw.strip_prefix('-').map_or((false, raw), |c| (true, c));
            let kind = match code {
                "_id" | "_lastUpdated" => ParamKind::Special,
                _ => kind_for(types, code, ext).ok_or_else(|| {
                    Error::invalid(format!("cannot sort by unknown parameter '{code}'")).at("_sort")
                })?,
            };
            Ok(SortKey {
                code: ext
                    .stored_code(types, code)
                    .map_err(|e| Error::invalid(e).at("_sort"))?
                    .to_owned(),
                kind,
                descending,
            })
        })
        .collect()
}

/// The kind of `code` on every searched type (the first type that knows it).
pub fn kind_for(types: &[String], code: &str, ext: &Extractor) -> Option<ParamKind> {
    types
        .iter()
        .find_map(|t| ext.param(t, code).map(|p| p.kind))
}

fn criterion(req: &mut SearchRequest, name: &str, value: &str, ext: &Extractor) -> Result<bool> {
    let clause = super::chain::parse_clause(&req.types, name, value, ext)?;
    match clause {
        Some(c) => {
            req.clauses.push(c);
            Ok(true)
        }
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &[(&str, &str)]) -> Result<SearchRequest> {
        let pairs: Vec<_> = q
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        parse(vec!["Patient".into()], &pairs, false, Extractor::r4())
    }

    #[test]
    fn control_parameters_parse() {
        let r = p(&[
            ("_count", "5000"),
            ("_sort", "-birthdate,_id"),
            ("_summary", "count"),
            ("_total", "none"),
        ])
        .unwrap();
        assert_eq!(r.count, MAX_COUNT);
        assert!(r.sort[0].descending);
        assert_eq!(r.summary, Summary::Count);
        assert_eq!(r.total, TotalMode::None);
        assert!(p(&[("_count", "x")]).is_err());
        assert!(p(&[("_sort", "nope")]).is_err());
    }

    #[test]
    fn unknown_parameters_are_ignored_unless_strict() {
        let r = p(&[("foo", "1"), ("gender", "male")]).unwrap();
        assert_eq!(r.understood, vec![("gender".to_owned(), "male".to_owned())]);
        let pairs = vec![("foo".to_owned(), "1".to_owned())];
        assert!(parse(vec!["Patient".into()], &pairs, true, Extractor::r4()).is_err());
    }

    #[test]
    fn includes_parse() {
        let r = p(&[
            ("_include", "Patient:general-practitioner:Practitioner"),
            ("_revinclude:iterate", "Provenance:target"),
        ])
        .unwrap();
        assert_eq!(r.includes[0].target.as_deref(), Some("Practitioner"));
        assert!(r.revincludes[0].iterate);
        assert!(p(&[("_include", "Nope:x")]).is_err());
    }
}
