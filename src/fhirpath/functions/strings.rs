//! String manipulation (<https://hl7.org/fhirpath/N1/#string-manipulation>).
//!
//! The input must be a single string (a System String or any FHIR primitive
//! held as a JSON string); positions and lengths count characters.

use super::regex_cache;
use super::{Inv, Spec, integer_arg, spec, string_arg};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::{Item, SystemValue};
use std::borrow::Cow;

pub(crate) const SPECS: &[Spec] = &[
    spec("indexOf", 1, 1, index_of),
    spec("lastIndexOf", 1, 1, last_index_of),
    spec("substring", 1, 2, substring),
    spec("startsWith", 1, 1, starts_with),
    spec("endsWith", 1, 1, ends_with),
    spec("contains", 1, 1, contains),
    spec("upper", 0, 0, upper),
    spec("lower", 0, 0, lower),
    spec("replace", 2, 2, replace),
    spec("matches", 1, 1, matches),
    spec("matchesFull", 1, 1, matches_full),
    spec("replaceMatches", 2, 2, replace_matches),
    spec("length", 0, 0, length),
    spec("toChars", 0, 0, to_chars),
];

/// The single input string; `None` when empty; error for non-strings.
pub(crate) fn input_string<'a>(inv: &Inv<'_, 'a>) -> Result<Option<Cow<'a, str>>> {
    let Some(item) = inv.single_input()? else {
        return Ok(None);
    };
    if let Some(json) = item.json()
        && let Some(s) = json.as_str()
    {
        return Ok(Some(Cow::Borrowed(s)));
    }
    match item.to_system(inv.model()) {
        Some(SystemValue::String(s)) => Ok(Some(s)),
        _ => Err(FhirPathError::execution(format!(
            "{}() needs a string input",
            inv.call.func.name()
        ))),
    }
}

/// The input string and string argument `i`, when both are present.
fn with_arg<'a>(inv: &Inv<'_, 'a>, i: usize) -> Result<Option<(Cow<'a, str>, Cow<'a, str>)>> {
    let Some(s) = input_string(inv)? else {
        return Ok(None);
    };
    Ok(string_arg(inv.env, &inv.arg(i)?, "argument")?.map(|a| (s, a)))
}

fn boolean<'a>(value: Option<bool>) -> Result<Vec<Item<'a>>> {
    Ok(value.map(Item::boolean).into_iter().collect())
}

fn integer<'a>(value: Option<usize>) -> Vec<Item<'a>> {
    value
        .map(|v| Item::integer(i64::try_from(v).unwrap_or(i64::MAX)))
        .into_iter()
        .collect()
}

fn string<'a>(value: Option<String>) -> Result<Vec<Item<'a>>> {
    Ok(value.map(Item::string).into_iter().collect())
}

/// Character index of a byte offset.
fn char_index(s: &str, byte: usize) -> usize {
    s.get(..byte).map_or(0, |p| p.chars().count())
}

fn index_of<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, sub)) = with_arg(inv, 0)? else {
        return Ok(Vec::new());
    };
    Ok(vec![Item::integer(match s.find(&*sub) {
        Some(b) => i64::try_from(char_index(&s, b)).unwrap_or(-1),
        None => -1,
    })])
}

fn last_index_of<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, sub)) = with_arg(inv, 0)? else {
        return Ok(Vec::new());
    };
    Ok(vec![Item::integer(match s.rfind(&*sub) {
        Some(b) => i64::try_from(char_index(&s, b)).unwrap_or(-1),
        None => -1,
    })])
}

fn substring<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(s) = input_string(inv)? else {
        return Ok(Vec::new());
    };
    let Some(start) = integer_arg(inv.env, &inv.arg(0)?, "start")? else {
        return Ok(Vec::new());
    };
    let length = integer_arg(inv.env, &inv.arg(1)?, "length")?;
    let count = s.chars().count();
    let Ok(start) = usize::try_from(start) else {
        return Ok(Vec::new());
    };
    if start >= count {
        return Ok(Vec::new());
    }
    let take = length.map_or(usize::MAX, |l| usize::try_from(l.max(0)).unwrap_or(0));
    string(Some(s.chars().skip(start).take(take).collect()))
}

fn starts_with<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    boolean(with_arg(inv, 0)?.map(|(s, p)| s.starts_with(&*p)))
}

fn ends_with<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    boolean(with_arg(inv, 0)?.map(|(s, p)| s.ends_with(&*p)))
}

fn contains<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    boolean(with_arg(inv, 0)?.map(|(s, p)| s.contains(&*p)))
}

fn upper<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    string(input_string(inv)?.map(|s| s.to_uppercase()))
}

fn lower<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    string(input_string(inv)?.map(|s| s.to_lowercase()))
}

fn replace<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, pattern)) = with_arg(inv, 0)? else {
        return Ok(Vec::new());
    };
    let Some(substitution) = string_arg(inv.env, &inv.arg(1)?, "substitution")? else {
        return Ok(Vec::new());
    };
    string(Some(s.replace(&*pattern, &substitution)))
}

fn regex_match<'a>(inv: &Inv<'_, 'a>, anchored: bool) -> Result<Vec<Item<'a>>> {
    let Some((s, pattern)) = with_arg(inv, 0)? else {
        return Ok(Vec::new());
    };
    let re = regex_cache::compile(&pattern, anchored)?;
    boolean(Some(re.is_match(&s)))
}

fn matches<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    regex_match(inv, false)
}

fn matches_full<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    regex_match(inv, true)
}

fn replace_matches<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, pattern)) = with_arg(inv, 0)? else {
        return Ok(Vec::new());
    };
    let Some(substitution) = string_arg(inv.env, &inv.arg(1)?, "substitution")? else {
        return Ok(Vec::new());
    };
    if pattern.is_empty() {
        return string(Some(s.into_owned()));
    }
    let re = regex_cache::compile(&pattern, false)?;
    string(Some(re.replace_all(&s, &*substitution).into_owned()))
}

fn length<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(integer(input_string(inv)?.map(|s| s.chars().count())))
}

fn to_chars<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(s) = input_string(inv)? else {
        return Ok(Vec::new());
    };
    Ok(s.chars().map(|c| Item::string(c.to_string())).collect())
}
