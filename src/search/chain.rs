//! Parsing one criterion `name[:modifier][.chain]=value`, `_has:…`, `_id`, `_lastUpdated` into a [`Clause`].

use super::index::{Extractor, ParamKind};
use super::query::{Clause, Modifier};
use crate::error::{Error, Result};

/// The clause for `name=value` over `types`, `None` when `name` is not a parameter of any of them.
/// Inside a chain or `_has` an unknown parameter is an error, since ignoring it would widen the match.
pub fn parse_clause(
    types: &[String],
    name: &str,
    value: &str,
    ext: &Extractor,
) -> Result<Option<Clause>> {
    if name == "_id" {
        return Ok(Some(Clause::Id(split_or(value))));
    }
    if name == "_lastUpdated" {
        return Ok(Some(Clause::LastUpdated(split_or(value))));
    }
    if let Some(rest) = name.strip_prefix("_has:") {
        return has(rest, value, ext).map(Some);
    }
    let (head, chain) = match name.split_once('.') {
        Some((h, c)) => (h, Some(c)),
        None => (name, None),
    };
    let (code, modifier) = head
        .split_once(':')
        .map_or((head, None), |(c, m)| (c, Some(m)));
    let Some(kind) = super::query::kind_for(types, code, ext) else {
        return Ok(None);
    };
    match chain {
        Some(rest) => chained(types, code, modifier, rest, value, kind, ext).map(Some),
        None if kind == ParamKind::Composite => {
            composite(types, code, modifier, value, ext).map(Some)
        }
        None => {
            let modifier = parse_modifier(kind, modifier, name)?;
            let values = split_or(value);
            if values.iter().all(String::is_empty) {
                return Err(
                    Error::invalid(format!("search parameter '{name}' has no value"))
                        .at(name.to_owned()),
                );
            }
            Ok(Some(Clause::Param {
                code: ext
                    .stored_code(types, code)
                    .map_err(|e| Error::invalid(e).at(name.to_owned()))?
                    .to_owned(),
                kind,
                modifier,
                values,
            }))
        }
    }
}

fn composite(
    types: &[String],
    code: &str,
    modifier: Option<&str>,
    value: &str,
    ext: &Extractor,
) -> Result<Clause> {
    if let Some(m) = modifier {
        return Err(Error::invalid(format!(
            "unsupported modifier ':{m}' on composite '{code}'"
        )));
    }
    let kinds = types
        .iter()
        .find_map(|t| {
            let info = ext.param(t, code)?;
            super::index::component_kinds(crate::model::r4(), info, t)
        })
        .ok_or_else(|| {
            Error::invalid(format!(
                "the components of composite '{code}' are not known"
            ))
        })?;
    Ok(Clause::Composite {
        code: code.to_owned(),
        kinds,
        values: split_or(value),
    })
}

fn has(rest: &str, value: &str, ext: &Extractor) -> Result<Clause> {
    let mut parts = rest.splitn(3, ':');
    let (Some(source), Some(reference), Some(inner)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::invalid(format!(
            "invalid _has '{rest}': want _has:Type:reference:parameter"
        )));
    };
    crate::fhir::ResourceType::parse(source).map_err(|e| e.at(format!("_has:{rest}")))?;
    let sources = vec![source.to_owned()];
    if super::query::kind_for(&sources, reference, ext) != Some(ParamKind::Reference) {
        return Err(Error::invalid(format!(
            "'{reference}' is not a reference parameter of {source}"
        )));
    }
    let inner = parse_clause(&sources, inner, value, ext)?.ok_or_else(|| {
        Error::invalid(format!("unknown parameter '{inner}' of {source} in _has"))
    })?;
    Ok(Clause::Has {
        source: source.to_owned(),
        reference: reference.to_owned(),
        inner: Box::new(inner),
    })
}

fn chained(
    types: &[String],
    code: &str,
    modifier: Option<&str>,
    rest: &str,
    value: &str,
    kind: ParamKind,
    ext: &Extractor,
) -> Result<Clause> {
    if kind != ParamKind::Reference {
        return Err(Error::invalid(format!(
            "'{code}' is not a reference parameter: it cannot be chained"
        )));
    }
    let inner_code = rest.split(['.', ':']).next().unwrap_or(rest);
    let targets: Vec<String> = match modifier {
        Some(t) => vec![crate::fhir::ResourceType::parse(t)?.to_string()],
        None => types
            .iter()
            .filter_map(|t| ext.param(t, code))
            .flat_map(|p| p.targets.iter().cloned())
            .filter(|t| inner_code.starts_with('_') || ext.param(t, inner_code).is_some())
            .collect(),
    };
    if targets.is_empty() {
        return Err(Error::invalid(format!(
            "no target type of '{code}' has a parameter '{inner_code}'"
        )));
    }
    let inner = parse_clause(&targets, rest, value, ext)?
        .ok_or_else(|| Error::invalid(format!("unknown chained parameter '{rest}'")))?;
    Ok(Clause::Chain {
        code: code.to_owned(),
        targets,
        inner: Box::new(inner),
    })
}

fn parse_modifier(kind: ParamKind, raw: Option<&str>, name: &str) -> Result<Modifier> {
    use ParamKind as K;
    let m = match (raw, kind) {
        (None, _) => Modifier::None,
        (Some("missing"), _) => Modifier::Missing,
        (Some("exact"), K::String) => Modifier::Exact,
        (Some("contains"), K::String) => Modifier::Contains,
        (Some("text"), K::Token) => Modifier::Text,
        (Some("not"), K::Token) => Modifier::Not,
        (Some("of-type"), K::Token) => Modifier::OfType,
        (Some("above"), K::Uri) => Modifier::Above,
        (Some("below"), K::Uri) => Modifier::Below,
        (Some("identifier"), K::Reference) => Modifier::Identifier,
        (Some(t), K::Reference) if crate::model::r4().is_resource_type(t) => {
            Modifier::Type(t.to_owned())
        }
        (Some(other), _) => {
            return Err(
                Error::invalid(format!("unsupported modifier ':{other}' on '{name}'"))
                    .at(name.to_owned()),
            );
        }
    };
    if matches!(kind, K::Composite | K::Special) {
        return Err(Error::invalid(format!(
            "search on the {kind:?} parameter '{name}' is not supported yet"
        )));
    }
    Ok(m)
}

/// Split a value on unescaped commas (OR), unescaping `\,`.
pub fn split_or(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                if let Some(s) = out.last_mut() {
                    s.push(',');
                }
                chars.next();
            }
            ',' => out.push(String::new()),
            c => {
                if let Some(s) = out.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(ty: &str, name: &str, value: &str) -> Result<Option<Clause>> {
        parse_clause(&[ty.to_owned()], name, value, Extractor::r4())
    }

    #[test]
    fn commas_split_unless_escaped() {
        assert_eq!(split_or("a,b\\,c"), ["a", "b,c"]);
    }

    #[test]
    fn chains_and_has_parse() {
        let c = clause(
            "DocumentReference",
            "subject:Patient.identifier",
            "urn:oid:1|2",
        )
        .unwrap()
        .unwrap();
        assert!(
            matches!(c, Clause::Chain { ref targets, .. } if targets == &["Patient".to_owned()])
        );
        let h = clause("Patient", "_has:Observation:patient:code", "1234")
            .unwrap()
            .unwrap();
        assert!(matches!(h, Clause::Has { ref source, .. } if source == "Observation"));
        assert!(clause("Patient", "_has:Observation:patient:nope", "1").is_err());
        assert!(clause("Patient", "gender.x", "1").is_err());
    }

    #[test]
    fn modifiers_are_checked_against_the_kind() {
        assert!(clause("Patient", "family:exact", "X").is_ok());
        assert!(clause("Patient", "gender:exact", "male").is_err());
        assert!(clause("Patient", "gender:in", "http://vs").is_err());
        assert!(matches!(clause("Patient", "nope", "1"), Ok(None)));
    }
}
