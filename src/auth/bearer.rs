//! `Authorization: Bearer` header parsing (RFC 6750 §2.1).

use super::error::AuthError;

/// Longest token accepted, to bound the work done on hostile input.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Extracts the token from an `Authorization` header value: the `Bearer` scheme is matched
/// case-insensitively and surrounding whitespace is trimmed.
///
/// `None` or a blank header gives [`AuthError::MissingToken`]; another scheme, an empty token
/// or one with characters outside token68 gives [`AuthError::MalformedHeader`].
pub fn bearer_token(header: Option<&str>) -> Result<&str, AuthError> {
    let value = header.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(AuthError::MissingToken);
    }
    let (scheme, rest) = match value.split_once([' ', '\t']) {
        Some((scheme, rest)) => (scheme, rest.trim()),
        None => (value, ""),
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MalformedHeader("expected the Bearer scheme"));
    }
    if rest.is_empty() {
        return Err(AuthError::MalformedHeader("empty bearer token"));
    }
    if rest.len() > MAX_TOKEN_LEN {
        return Err(AuthError::MalformedHeader("bearer token too long"));
    }
    let body = rest.trim_end_matches('=');
    let token68 = body.bytes().all(|b| TOKEN68[usize::from(b)]);
    if body.is_empty() || !token68 {
        return Err(AuthError::MalformedHeader("bearer token is not token68"));
    }
    Ok(rest)
}

/// The bytes of RFC 6750's token68 (before its trailing `=`s), by value.
static TOKEN68: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] =
            c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_case_and_trims() {
        assert_eq!(
            bearer_token(Some("Bearer abc.def.ghi")).ok(),
            Some("abc.def.ghi")
        );
        assert_eq!(
            bearer_token(Some("  bEaReR   abc.d-_f.g  ")).ok(),
            Some("abc.d-_f.g")
        );
        assert_eq!(bearer_token(Some("BEARER\tabc")).ok(), Some("abc"));
    }

    #[test]
    fn missing_and_malformed() {
        assert!(matches!(bearer_token(None), Err(AuthError::MissingToken)));
        assert!(matches!(
            bearer_token(Some("   ")),
            Err(AuthError::MissingToken)
        ));
        for bad in [
            "Bearer",
            "Bearer   ",
            "Basic dXNlcjpwYXNz",
            "Bearer a b",
            "Bearer a\"b",
            "Bearer =",
        ] {
            assert!(
                matches!(bearer_token(Some(bad)), Err(AuthError::MalformedHeader(_))),
                "{bad}"
            );
        }
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert!(bearer_token(Some(&long)).is_err());
    }
}
