//! Bearer token verification against a JWKS: RS256 and ES256 only.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};

use super::bearer::MAX_TOKEN_LEN;
use super::claims::Claims;
use super::error::AuthError;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;
/// Largest JWKS document accepted (file or URL).
pub const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// One usable key of the JWKS.
#[derive(Clone)]
struct VerifyingKey {
    /// The JWK `kid`, if any.
    kid: Option<String>,
    /// RS256 or ES256, from the key type.
    alg: Algorithm,
    /// The public key.
    key: DecodingKey,
}

/// Verifies tokens signed by one issuer for one audience.
#[derive(Clone)]
pub struct Verifier {
    /// The usable keys of the JWKS.
    keys: Vec<VerifyingKey>,
    /// Required `iss`.
    issuer: String,
    /// Required member of `aud`.
    audience: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<_> = self.keys.iter().map(|k| (&k.kid, k.alg)).collect();
        f.debug_struct("Verifier")
            .field("keys", &kids)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl Verifier {
    /// Builds a verifier from a JWKS document. Keys that are not RSA or P-256, are marked
    /// `"use": "enc"`, or declare an `alg` other than RS256/ES256 are skipped; a document with
    /// no usable key is an error.
    pub fn from_jwks(json: &[u8], issuer: &str, audience: &str) -> Result<Verifier, AuthError> {
        let doc: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| AuthError::Jwks(format!("not JSON: {e}")))?;
        let entries = doc
            .get("keys")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| AuthError::Jwks("no \"keys\" array".to_owned()))?;
        let keys: Vec<VerifyingKey> = entries
            .iter()
            .filter_map(|entry| serde_json::from_value::<Jwk>(entry.clone()).ok())
            .filter_map(|jwk| usable_key(&jwk))
            .collect();
        if keys.is_empty() {
            return Err(AuthError::Jwks("no RS256 or ES256 signing key".to_owned()));
        }
        Ok(Verifier {
            keys,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    /// Reads a JWKS file and builds a verifier from it.
    pub fn from_jwks_file(
        path: &Path,
        issuer: &str,
        audience: &str,
    ) -> Result<Verifier, AuthError> {
        let bytes = std::fs::read(path).map_err(|source| AuthError::KeyFile {
            path: path.to_owned(),
            source,
        })?;
        Self::from_jwks(&bytes, issuer, audience)
    }

    /// Fetches a JWKS over HTTPS (plain `http` only for loopback hosts, for tests) and builds
    /// a verifier from it. The key set is fetched once: restart to rotate keys.
    ///
    /// HTTPS needs a TLS feature of `reqwest` (e.g. `rustls`) in the final binary.
    pub async fn from_jwks_url(
        url: &str,
        issuer: &str,
        audience: &str,
    ) -> Result<Verifier, AuthError> {
        let fail = |reason: String| AuthError::JwksFetch {
            url: url.to_owned(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| fail(e.to_string()))?;
        let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(fail("only https URLs are accepted".to_owned()));
        }
        crate::tls::init();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let response = client
            .get(parsed)
            .header("accept", "application/json")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| fail(e.to_string()))?;
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(fail("JWKS too large".to_owned()));
        }
        let body = response.bytes().await.map_err(|e| fail(e.to_string()))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(fail("JWKS too large".to_owned()));
        }
        Self::from_jwks(&body, issuer, audience)
    }

    /// A verifier with no key: rejects every token.
    pub(super) fn empty(issuer: &str, audience: &str) -> Verifier {
        Verifier {
            keys: Vec::new(),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// The issuer required in `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience required in `aud`.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Verifies the signature and `exp` (required), `nbf` (if present), `iss` and `aud`, with
    /// [`LEEWAY_SECONDS`] of leeway, and decodes the claims. Call [`Claims::requester`] next.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        if token.len() > MAX_TOKEN_LEN || token.split('.').count() != 3 {
            return Err(AuthError::Malformed(
                "not a JWS compact serialization".to_owned(),
            ));
        }
        let alg = header_alg(token)?;
        if alg != "RS256" && alg != "ES256" {
            let shown: String = alg
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(16)
                .collect();
            return Err(AuthError::Algorithm(format!("{shown} is not accepted")));
        }
        let header = decode_header(token)
            .map_err(|_| AuthError::Malformed("unreadable header".to_owned()))?;
        let key = match header.kid.as_deref() {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None if self.keys.len() == 1 => self.keys.first(),
            None => None,
        }
        .ok_or(AuthError::UnknownKid)?;
        if key.alg != header.alg {
            return Err(AuthError::Algorithm(format!(
                "{:?} does not match the key's {:?}",
                header.alg, key.alg
            )));
        }
        let mut validation = Validation::new(key.alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        decode::<Claims>(token, &key.key, &validation)
            .map(|data| data.claims)
            .map_err(|e| map_error(e.kind()))
    }
}

/// The `alg` of the JOSE header, read before anything else so that `none` and HMAC are
/// rejected as such.
fn header_alg(token: &str) -> Result<String, AuthError> {
    let malformed = || AuthError::Malformed("unreadable header".to_owned());
    let encoded = token.split('.').next().ok_or_else(malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| malformed())?;
    let header: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    match header.get("alg").and_then(serde_json::Value::as_str) {
        Some(alg) => Ok(alg.to_owned()),
        None => Err(AuthError::Algorithm("missing alg".to_owned())),
    }
}

/// Keeps a JWK usable for RS256 / ES256 signature verification.
fn usable_key(jwk: &Jwk) -> Option<VerifyingKey> {
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        _ => return None,
    };
    match jwk.common.key_algorithm {
        None => {}
        Some(KeyAlgorithm::RS256) if alg == Algorithm::RS256 => {}
        Some(KeyAlgorithm::ES256) if alg == Algorithm::ES256 => {}
        Some(_) => return None,
    }
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(VerifyingKey {
        kid: jwk.common.key_id.clone(),
        alg,
        key,
    })
}

/// Maps a `jsonwebtoken` failure to the Carnet error (never echoing the token).
fn map_error(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(c) | ErrorKind::InvalidClaimFormat(c) => {
            AuthError::MissingClaim(c.clone())
        }
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidAlgorithmName => {
            AuthError::Algorithm("algorithm not accepted".to_owned())
        }
        ErrorKind::Json(e) => {
            AuthError::InvalidClaims(format!("claims do not fit the Carnet profile: {e}"))
        }
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
            AuthError::Malformed("bad base64url or UTF-8".to_owned())
        }
        ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidRsaKey(_) | ErrorKind::InvalidKeyFormat => {
            AuthError::BadSignature
        }
        _ => AuthError::Malformed("token rejected".to_owned()),
    }
}
