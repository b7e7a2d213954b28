//! Authentication errors and their HTTP meaning (RFC 6750).

use std::path::PathBuf;

/// How the HTTP layer should answer an [`AuthError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// 400 `invalid_request`: the `Authorization` header is not a usable bearer credential.
    BadRequest,
    /// 401: no token, or a token that cannot be trusted (`invalid_token`).
    Unauthorized,
    /// 403 `insufficient_scope`: a valid token that does not grant the operation.
    Forbidden,
    /// Not a request error: key files, JWKS loading, CLI arguments (fail at startup / exit 2).
    Startup,
}

/// Everything that can go wrong in `auth/`. Messages never contain the token itself.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header (or an empty one).
    #[error("no bearer token")]
    MissingToken,
    /// The `Authorization` header is not `Bearer <token68>`.
    #[error("malformed Authorization header: {0}")]
    MalformedHeader(&'static str),
    /// The token is not a well-formed JWS compact serialization with JSON parts.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// `alg` is not RS256/ES256, or does not match the selected key.
    #[error("unacceptable algorithm: {0}")]
    Algorithm(String),
    /// No key of the JWKS matches the token's `kid`.
    #[error("unknown signing key")]
    UnknownKid,
    /// The signature does not verify.
    #[error("invalid signature")]
    BadSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// `iss` is not the configured issuer.
    #[error("wrong issuer")]
    WrongIssuer,
    /// `aud` does not contain the configured audience.
    #[error("wrong audience")]
    WrongAudience,
    /// A required registered claim (`exp`, `iss`, `aud`, ...) is missing or has the wrong type.
    #[error("missing or invalid claim: {0}")]
    MissingClaim(String),
    /// The Carnet claims (`requester_kind`, `idnps`, `ins`, ...) are inconsistent or malformed.
    #[error("invalid Carnet claims: {0}")]
    InvalidClaims(String),
    /// A `scope` entry is not valid SMART syntax.
    #[error("invalid scope: {0}")]
    InvalidScope(String),
    /// Valid token, but its scopes do not grant the operation (HTTP 403).
    #[error("insufficient scope: {0} required")]
    InsufficientScope(String),
    /// A key or JWKS file could not be read or written.
    #[error("key file {path}: {source}")]
    KeyFile {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Key material that cannot be parsed or used.
    #[error("invalid key material: {0}")]
    InvalidKey(String),
    /// A JWKS document that is not usable (bad JSON, no supported key).
    #[error("invalid JWKS: {0}")]
    Jwks(String),
    /// The JWKS could not be fetched from its URL.
    #[error("cannot fetch JWKS from {url}: {reason}")]
    JwksFetch {
        /// The URL requested.
        url: String,
        /// Why it failed.
        reason: String,
    },
    /// A `carnet token` argument is invalid.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Signing a token failed.
    #[error("cannot sign token: {0}")]
    Signing(String),
}

impl AuthError {
    /// The HTTP treatment of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::MalformedHeader(_) => ErrorClass::BadRequest,
            Self::MissingToken
            | Self::Malformed(_)
            | Self::Algorithm(_)
            | Self::UnknownKid
            | Self::BadSignature
            | Self::Expired
            | Self::NotYetValid
            | Self::WrongIssuer
            | Self::WrongAudience
            | Self::MissingClaim(_)
            | Self::InvalidClaims(_)
            | Self::InvalidScope(_) => ErrorClass::Unauthorized,
            Self::InsufficientScope(_) => ErrorClass::Forbidden,
            Self::KeyFile { .. }
            | Self::InvalidKey(_)
            | Self::Jwks(_)
            | Self::JwksFetch { .. }
            | Self::InvalidArgument(_)
            | Self::Signing(_) => ErrorClass::Startup,
        }
    }

    /// The HTTP status code for request errors (400, 401, 403); 500 for startup errors.
    pub fn http_status(&self) -> u16 {
        match self.class() {
            ErrorClass::BadRequest => 400,
            ErrorClass::Unauthorized => 401,
            ErrorClass::Forbidden => 403,
            ErrorClass::Startup => 500,
        }
    }

    /// The RFC 6750 `WWW-Authenticate` header value: `Bearer realm="carnet"` alone for a
    /// missing token (and for startup errors), otherwise with `error` and `error_description`.
    pub fn www_authenticate(&self) -> String {
        let code = match self.class() {
            ErrorClass::BadRequest => "invalid_request",
            ErrorClass::Unauthorized if matches!(self, Self::MissingToken) => {
                return r#"Bearer realm="carnet""#.to_owned();
            }
            ErrorClass::Unauthorized => "invalid_token",
            ErrorClass::Forbidden => "insufficient_scope",
            ErrorClass::Startup => return r#"Bearer realm="carnet""#.to_owned(),
        };
        format!(
            r#"Bearer realm="carnet", error="{code}", error_description="{}""#,
            quoted_safe(&self.to_string())
        )
    }
}

/// Keeps `text` inside an RFC 7230 quoted-string and the RFC 6750 `error_description` charset
/// (printable ASCII except `"` and `\`), replacing anything else.
fn quoted_safe(text: &str) -> String {
    text.chars()
        .take(200)
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_token_challenge_has_no_error() {
        assert_eq!(
            AuthError::MissingToken.www_authenticate(),
            r#"Bearer realm="carnet""#
        );
        assert_eq!(AuthError::MissingToken.http_status(), 401);
    }

    #[test]
    fn invalid_token_challenge() {
        let header = AuthError::Expired.www_authenticate();
        assert_eq!(
            header,
            r#"Bearer realm="carnet", error="invalid_token", error_description="token expired""#
        );
        let quoted = AuthError::InvalidClaims("a \"b\" \\ é".into()).www_authenticate();
        assert!(quoted.ends_with(r#"error_description="invalid Carnet claims: a 'b' ' ?""#));
    }

    #[test]
    fn classes() {
        assert_eq!(AuthError::InsufficientScope("x".into()).http_status(), 403);
        assert_eq!(AuthError::MalformedHeader("x").http_status(), 400);
        assert!(
            AuthError::InsufficientScope("user/Patient.r".into())
                .www_authenticate()
                .contains(r#"error="insufficient_scope""#)
        );
        assert_eq!(AuthError::Jwks("x".into()).class(), ErrorClass::Startup);
    }
}
