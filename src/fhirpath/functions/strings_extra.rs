//! FHIRPath 2.x string additions used by the R4 suite: `trim`, `split`, `join`,
//! `encode`/`decode` (base64, urlbase64, hex) and `escape`/`unescape` (html, json)
//! (<https://build.fhir.org/ig/HL7/FHIRPath/#additional-string-functions>).

use super::strings::input_string;
use super::{Inv, Spec, spec, string_arg};
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::Item;

pub(crate) const SPECS: &[Spec] = &[
    spec("trim", 0, 0, trim),
    spec("split", 1, 1, split),
    spec("join", 0, 1, join),
    spec("encode", 1, 1, encode),
    spec("decode", 1, 1, decode),
    spec("escape", 1, 1, escape),
    spec("unescape", 1, 1, unescape),
];

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn trim<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(input_string(inv)?
        .map(|s| Item::string(s.trim().to_owned()))
        .into_iter()
        .collect())
}

fn split<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(s) = input_string(inv)? else {
        return Ok(Vec::new());
    };
    let Some(sep) = string_arg(inv.env, &inv.arg(0)?, "separator")? else {
        return Ok(vec![Item::string(s)]);
    };
    Ok(s.split(&*sep).map(|p| Item::string(p.to_owned())).collect())
}

fn join<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let sep = string_arg(inv.env, &inv.arg(0)?, "separator")?.unwrap_or_default();
    let parts = inv
        .input
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_owned)
                .ok_or_else(|| FhirPathError::execution("join() needs strings"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(vec![Item::string(parts.join(&sep))])
}

/// The input string and the format argument.
fn with_format<'a>(inv: &Inv<'_, 'a>) -> Result<Option<(String, String)>> {
    let Some(s) = input_string(inv)? else {
        return Ok(None);
    };
    Ok(string_arg(inv.env, &inv.arg(0)?, "format")?.map(|f| (s.into_owned(), f.into_owned())))
}

fn unknown_format(format: &str) -> FhirPathError {
    FhirPathError::execution(format!("unknown format '{format}'"))
}

fn encode<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, format)) = with_format(inv)? else {
        return Ok(Vec::new());
    };
    let out = match format.as_str() {
        "base64" => base64_encode(s.as_bytes(), STANDARD),
        "urlbase64" => base64_encode(s.as_bytes(), URL_SAFE),
        "hex" => s.bytes().map(|b| format!("{b:02x}")).collect(),
        _ => return Err(unknown_format(&format)),
    };
    Ok(vec![Item::string(out)])
}

fn decode<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, format)) = with_format(inv)? else {
        return Ok(Vec::new());
    };
    let bytes = match format.as_str() {
        "base64" => base64_decode(&s, STANDARD),
        "urlbase64" => base64_decode(&s, URL_SAFE),
        "hex" => hex_decode(&s),
        _ => return Err(unknown_format(&format)),
    };
    Ok(bytes
        .and_then(|b| String::from_utf8(b).ok())
        .map(Item::string)
        .into_iter()
        .collect())
}

fn base64_encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        let v = alphabet.iter().position(|a| *a == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn escape<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, format)) = with_format(inv)? else {
        return Ok(Vec::new());
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match (format.as_str(), c) {
            ("html", '&') => out.push_str("&amp;"),
            ("html", '<') => out.push_str("&lt;"),
            ("html", '>') => out.push_str("&gt;"),
            ("html", '"') => out.push_str("&quot;"),
            ("html", '\'') => out.push_str("&#39;"),
            ("json", '"') => out.push_str("\\\""),
            ("json", '\\') => out.push_str("\\\\"),
            ("json", '\n') => out.push_str("\\n"),
            ("json", '\r') => out.push_str("\\r"),
            ("json", '\t') => out.push_str("\\t"),
            ("html" | "json", c) => out.push(c),
            _ => return Err(unknown_format(&format)),
        }
    }
    Ok(vec![Item::string(out)])
}

fn unescape<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some((s, format)) = with_format(inv)? else {
        return Ok(Vec::new());
    };
    let pairs: &[(&str, &str)] = match format.as_str() {
        "html" => &[
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&quot;", "\""),
            ("&#39;", "'"),
            ("&amp;", "&"),
        ],
        "json" => &[
            ("\\\"", "\""),
            ("\\n", "\n"),
            ("\\r", "\r"),
            ("\\t", "\t"),
            ("\\\\", "\\"),
        ],
        _ => return Err(unknown_format(&format)),
    };
    let out = pairs
        .iter()
        .fold(s, |acc, (from, to)| acc.replace(from, to));
    Ok(vec![Item::string(out)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        assert_eq!(base64_encode(b"test", STANDARD), "dGVzdA==");
        assert_eq!(base64_encode(b"subjects?_d", URL_SAFE), "c3ViamVjdHM_X2Q=");
        assert_eq!(
            base64_decode("c3ViamVjdHM/X2Q=", STANDARD).unwrap(),
            b"subjects?_d"
        );
        assert!(base64_decode("!!", STANDARD).is_none());
        assert_eq!(hex_decode("74657374").unwrap(), b"test");
        assert!(hex_decode("7").is_none());
        assert!(hex_decode("zz").is_none());
    }
}
