//! JSON Pointer (RFC 6901) navigation for JSON Patch.

use serde_json::Value;

/// Split a pointer into unescaped tokens; `""` is the whole document. `None` if it does not start with `/`.
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Parse an array index token: digits only, no leading zero (except "0").
pub fn index(token: &str) -> Option<usize> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if ok { token.parse().ok() } else { None }
}

/// The value at `path` (tokens), if present.
pub fn get<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |cur, t| match cur {
        Value::Object(m) => m.get(t),
        Value::Array(a) => a.get(index(t)?),
        _ => None,
    })
}

/// The value at `path` (tokens), mutably, if present.
pub fn get_mut<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |cur, t| match cur {
        Value::Object(m) => m.get_mut(t),
        Value::Array(a) => {
            let i = index(t)?;
            a.get_mut(i)
        }
        _ => None,
    })
}
