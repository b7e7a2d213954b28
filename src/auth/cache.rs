//! A cache of verified tokens: an ES256 or RS256 signature check costs far more than the rest of a
//! read, and clients send the same token for its whole lifetime. Entries are keyed by the SHA-256
//! of the token (the token itself is not kept), hold the decoded claims, and are used only until
//! the token's `exp` (past it and the leeway, the token is refused from the cache, without its
//! signature checked again); the cache is emptied when it reaches its bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::{AuthError, Claims, LEEWAY_SECONDS, Verifier};

/// Tokens remembered at most.
const MAX_ENTRIES: usize = 10_000;

/// A [`Verifier`] with a cache of the tokens it accepted.
#[derive(Debug)]
pub struct CachedVerifier {
    verifier: Verifier,
    seen: Mutex<HashMap<[u8; 32], Claims>>,
}

impl CachedVerifier {
    /// Wraps `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// [`Verifier::verify`], answered from the cache for a token already accepted and not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let key = key_of(token);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        if let Ok(seen) = self.seen.lock()
            && let Some(claims) = seen.get(&key)
        {
            if now <= claims.exp {
                return Ok(claims.clone());
            }
            // A token this cache accepted, now expired beyond the leeway: refused without checking
            // its signature again (a client that keeps sending it would cost one per request).
            if now > claims.exp.saturating_add(LEEWAY_SECONDS) {
                return Err(AuthError::Expired);
            }
        }
        let claims = self.verifier.verify(token)?;
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= MAX_ENTRIES {
                seen.clear();
            }
            seen.insert(key, claims.clone());
        }
        Ok(claims)
    }
}

/// The cache's key for `token`.
fn key_of(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{DevKeys, RequesterKind};

    /// Development keys (in `dir`), a cache over their verifier, and a token they signed.
    fn cache_and_token(dir: &std::path::Path) -> (DevKeys, CachedVerifier, String) {
        let keys = DevKeys::load_or_create(dir).unwrap();
        let cached = CachedVerifier::new(keys.verifier());
        let token = keys
            .mint(&Claims::dev(RequesterKind::Admin, "op", "system/*.rs", 60))
            .unwrap();
        (keys, cached, token)
    }

    #[test]
    fn a_cached_token_still_expires_and_others_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (keys, cached, token) = cache_and_token(dir.path());
        assert!(cached.verify(&token).is_ok());
        assert!(cached.verify(&token).is_ok(), "from the cache");
        let mut tampered = token.clone();
        tampered.pop();
        assert!(cached.verify(&tampered).is_err());
        let mut expired = Claims::dev(RequesterKind::Admin, "op", "system/*.rs", 0);
        expired.exp = 1;
        let old = keys.mint(&expired).unwrap();
        assert!(cached.verify(&old).is_err());
    }

    #[test]
    fn a_cached_token_once_expired_is_refused_without_its_signature_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (_keys, cached, token) = cache_and_token(dir.path());
        assert!(cached.verify(&token).is_ok());
        // Time passes past `exp` and the leeway (the cached claims are the token's own).
        cached
            .seen
            .lock()
            .unwrap()
            .get_mut(&key_of(&token))
            .unwrap()
            .exp = 1;
        // Checked again, the signature and the token's real `exp` would pass: the cache answers.
        assert!(matches!(cached.verify(&token), Err(AuthError::Expired)));
    }
}
