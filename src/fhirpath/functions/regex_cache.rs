//! Compiled regular expressions shared across evaluations.
//!
//! Patterns are nearly always literals, so compiling once and reusing saves the
//! dominant cost of `matches()`. The cache is bounded; when full it is cleared.

use crate::fhirpath::error::{FhirPathError, Result};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const CAPACITY: usize = 512;
/// Compiled program size limit, so hostile patterns cannot exhaust memory.
const SIZE_LIMIT: usize = 1 << 20;

fn cache() -> &'static Mutex<HashMap<String, Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The compiled form of `pattern` (with `.` matching newlines, as FHIRPath's
/// single-line mode requires); an invalid pattern is an evaluation error.
pub(crate) fn compile(pattern: &str, anchored: bool) -> Result<Regex> {
    let key = if anchored {
        format!("^(?:{pattern})$")
    } else {
        pattern.to_owned()
    };
    if let Ok(map) = cache().lock()
        && let Some(re) = map.get(&key)
    {
        return Ok(re.clone());
    }
    let re = regex::RegexBuilder::new(&key)
        .dot_matches_new_line(true)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| FhirPathError::execution(format!("invalid regular expression: {e}")))?;
    if let Ok(mut map) = cache().lock() {
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, re.clone());
    }
    Ok(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_caches() {
        assert!(compile("a.b", false).unwrap().is_match("a\nb"));
        assert!(!compile("b", true).unwrap().is_match("abc"));
        assert!(compile("(", false).is_err());
    }
}
