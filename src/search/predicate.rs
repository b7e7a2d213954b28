//! Value predicates per parameter type over an index-row alias: https://hl7.org/fhir/R4/search.html#ptypes
//! Every value that does not parse is a 400 naming it.

use super::compile::Compiler;
use super::query::Modifier;
use super::values::{date_range, normalize_string, number_range};
use crate::error::{Error, Result};
use crate::store::SqlValue;

/// Comparison prefixes of number, date and quantity values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// `eq` (default)
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `lt`
    Lt,
    /// `ge`
    Ge,
    /// `le`
    Le,
    /// `sa`
    Sa,
    /// `eb`
    Eb,
    /// `ap`
    Ap,
}

/// Split a leading prefix off a value.
pub fn prefix(v: &str) -> (Prefix, &str) {
    let p = match v.get(..2) {
        Some("eq") => Prefix::Eq,
        Some("ne") => Prefix::Ne,
        Some("gt") => Prefix::Gt,
        Some("lt") => Prefix::Lt,
        Some("ge") => Prefix::Ge,
        Some("le") => Prefix::Le,
        Some("sa") => Prefix::Sa,
        Some("eb") => Prefix::Eb,
        Some("ap") => Prefix::Ap,
        _ => return (Prefix::Eq, v),
    };
    (p, &v[2..])
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn ors(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "1 = 0".to_owned()
    } else {
        parts.join(" OR ")
    }
}

/// String: starts-with on the normal form; `:exact` equality; `:contains` anywhere.
pub fn strings(c: &mut Compiler, t: &str, values: &[String], m: &Modifier) -> Result<String> {
    let parts = values
        .iter()
        .map(|v| match m {
            Modifier::Exact => format!("{t}.exact = {}", c.q.text(v.clone())),
            Modifier::Contains => {
                let p = c.q.text(format!("%{}%", like_escape(&normalize_string(v))));
                format!("{t}.normalized LIKE {p} ESCAPE '\\'")
            }
            _ => {
                let p = c.q.text(format!("{}%", like_escape(&normalize_string(v))));
                format!("{t}.normalized LIKE {p} ESCAPE '\\'")
            }
        })
        .collect();
    Ok(ors(parts))
}

/// Token: `system|code`, `|code`, `system|`, `code`; `:text` on the display text.
pub fn tokens(c: &mut Compiler, t: &str, values: &[String], m: &Modifier) -> Result<String> {
    let parts = values
        .iter()
        .map(|v| {
            if *m == Modifier::Text {
                let p = c.q.text(format!("{}%", like_escape(&normalize_string(v))));
                return format!("{t}.text LIKE {p} ESCAPE '\\'");
            }
            match v.split_once('|') {
                // `system <> ''` lets the planner use idx_token_system, which holds only
                // rows with a system.
                Some((s, "")) if !s.is_empty() => {
                    format!("({t}.system = {} AND {t}.system <> '')", c.q.text(s))
                }
                Some((_, "")) => format!("{t}.system = ''"),
                Some((s, code)) => {
                    let (s, code) = (c.q.text(s), c.q.text(code));
                    format!("({t}.system = {s} AND {t}.code = {code})")
                }
                None => format!("{t}.code = {}", c.q.text(v.clone())),
            }
        })
        .collect();
    Ok(ors(parts))
}

/// Reference: `Type/id`, `id`, an absolute URL (this server's base read as relative), a canonical.
pub fn references(c: &mut Compiler, t: &str, values: &[String], m: &Modifier) -> Result<String> {
    let base = format!("{}/", c.base_url);
    let parts = values
        .iter()
        .map(|v| {
            let local = v.strip_prefix(&base).unwrap_or(v);
            let local = local.split("/_history/").next().unwrap_or(local);
            let type_filter = match m {
                Modifier::Type(ty) => format!(" AND {t}.target_type = {}", c.q.text(ty.clone())),
                _ => String::new(),
            };
            match local.split_once('/') {
                Some((ty, id))
                    if !local.contains("://") && crate::model::r4().is_resource_type(ty) =>
                {
                    let (ty, id) = (c.q.text(ty), c.q.text(id));
                    format!("({t}.target_type = {ty} AND {t}.target_id = {id})")
                }
                _ if v.contains(':') => format!("{t}.url = {}", c.q.text(v.clone())),
                _ => format!("({t}.target_id = {}{type_filter})", c.q.text(v.clone())),
            }
        })
        .collect();
    Ok(ors(parts))
}

/// Uri: equality, `:below` (prefix), `:above` (the stored value is a prefix of the search value).
pub fn uris(c: &mut Compiler, t: &str, values: &[String], m: &Modifier) -> Result<String> {
    let parts = values
        .iter()
        .map(|v| match m {
            Modifier::Below => format!(
                "{t}.value LIKE {} ESCAPE '\\'",
                c.q.text(format!("{}%", like_escape(v)))
            ),
            Modifier::Above => format!("{} LIKE ({t}.value || '%')", c.q.text(v.clone())),
            _ => format!("{t}.value = {}", c.q.text(v.clone())),
        })
        .collect();
    Ok(ors(parts))
}

/// Date parameters over `t.low`/`t.high`.
pub fn dates(c: &mut Compiler, t: &str, values: &[String]) -> Result<String> {
    let parts = values
        .iter()
        .map(|v| date_on(c, &format!("{t}.low"), &format!("{t}.high"), v))
        .collect::<Result<Vec<_>>>()?;
    Ok(ors(parts))
}

/// One date value with its prefix against a target range `[lo, hi]` (SQL expressions), with the implicit
/// range of the search value's precision.
pub fn date_on(c: &mut Compiler, lo: &str, hi: &str, v: &str) -> Result<String> {
    let (p, text) = prefix(v);
    let (ql, qh) = date_range(text).ok_or_else(|| Error::invalid(format!("invalid date '{v}'")))?;
    let (ql, qh, qh2) = (
        c.q.bind(SqlValue::Int(ql)),
        c.q.bind(SqlValue::Int(qh)),
        c.q.bind(SqlValue::Int(qh)),
    );
    // `lo <= qh` follows from `lo <= hi <= qh`; stated, it bounds the index range on `low` both ways.
    let within = format!("({lo} >= {ql} AND {lo} <= {qh2} AND {hi} <= {qh})");
    Ok(match p {
        Prefix::Eq => within,
        Prefix::Ne => format!("NOT {within}"),
        Prefix::Gt => format!("{hi} > {qh}"),
        Prefix::Lt => format!("{lo} < {ql}"),
        Prefix::Ge => format!("({hi} > {qh} OR {within})"),
        Prefix::Le => format!("({lo} < {ql} OR {within})"),
        Prefix::Sa => format!("{lo} > {qh}"),
        Prefix::Eb => format!("{hi} < {ql}"),
        Prefix::Ap => format!("({lo} <= {qh} AND {hi} >= {ql})"),
    })
}

/// Number parameters over `t.value`, with the implicit range of the search value's precision.
pub fn numbers(c: &mut Compiler, t: &str, values: &[String]) -> Result<String> {
    let parts = values
        .iter()
        .map(|v| number_on(c, &format!("{t}.value"), v))
        .collect::<Result<Vec<_>>>()?;
    Ok(ors(parts))
}

fn number_on(c: &mut Compiler, col: &str, v: &str) -> Result<String> {
    let (p, text) = prefix(v);
    let (lo, val, hi) =
        number_range(text).ok_or_else(|| Error::invalid(format!("invalid number '{v}'")))?;
    let mut f = |x: f64| c.q.bind(SqlValue::Float(x));
    Ok(match p {
        Prefix::Eq => format!("({col} >= {} AND {col} < {})", f(lo), f(hi)),
        Prefix::Ne => format!("NOT ({col} >= {} AND {col} < {})", f(lo), f(hi)),
        Prefix::Gt | Prefix::Sa => format!("{col} > {}", f(val)),
        Prefix::Lt | Prefix::Eb => format!("{col} < {}", f(val)),
        Prefix::Ge => format!("{col} >= {}", f(val)),
        Prefix::Le => format!("{col} <= {}", f(val)),
        Prefix::Ap => {
            let d = (val.abs() * 0.1).max(hi - lo);
            format!("({col} >= {} AND {col} <= {})", f(val - d), f(val + d))
        }
    })
}

/// Quantity: `[prefix]number[|system|code]`; `number||code` matches the code or the unit.
pub fn quantities(c: &mut Compiler, t: &str, values: &[String]) -> Result<String> {
    let parts = values
        .iter()
        .map(|v| {
            let mut it = v.splitn(3, '|');
            let number = it.next().unwrap_or_default();
            let num = number_on(c, &format!("{t}.value"), number)?;
            Ok(match (it.next(), it.next()) {
                (Some(""), Some(code)) => {
                    let code = c.q.text(code);
                    format!("({num} AND ({t}.code = {code} OR {t}.unit = {code}))")
                }
                (Some(system), Some(code)) => {
                    let (s, code) = (c.q.text(system), c.q.text(code));
                    format!("({num} AND {t}.system = {s} AND {t}.code = {code})")
                }
                (None, _) => num,
                (Some(_), None) => {
                    return Err(Error::invalid(format!(
                        "invalid quantity '{v}': want n|system|code"
                    )));
                }
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ors(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_split() {
        assert_eq!(prefix("ge2020"), (Prefix::Ge, "2020"));
        assert_eq!(prefix("2020"), (Prefix::Eq, "2020"));
    }

    #[test]
    fn bad_values_are_errors() {
        let mut c = Compiler::new("http://x/fhir");
        assert!(dates(&mut c, "t", &["gexyz".into()]).is_err());
        assert!(numbers(&mut c, "t", &["abc".into()]).is_err());
        assert!(quantities(&mut c, "t", &["5|x".into()]).is_err());
    }
}
