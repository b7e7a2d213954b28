//! Bearer-token authentication: JWKS verification, Carnet claims, SMART scopes, and
//! development keys / tokens (`carnet token`).
//!
//! Crypto choice: `jsonwebtoken` 10 with the pure-Rust `rust_crypto` provider (default features
//! off: no `aws-lc-rs`, no cmake) for JWS signing and verification, and `p256` (+ `rand_core`
//! with `getrandom`) to generate and store the development P-256 key as PKCS#8 PEM. `sha2` and
//! `base64` compute the RFC 7638 `kid`. Accepted algorithms are RS256 and ES256 only.
//!
//! Flow in the HTTP layer: [`bearer_token`] → [`Verifier::verify`] → [`Claims::requester`] and
//! [`Claims::scopes`] → [`permits`]; map failures with [`AuthError::http_status`] and
//! [`AuthError::www_authenticate`].

mod bearer;
mod cache;
mod checks;
mod claims;
mod error;
mod keys;
mod mint;
mod scopes;
mod verify;

#[cfg(test)]
mod test_rsa_key;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cli;
#[cfg(test)]
mod tests_keys;

pub use bearer::{MAX_TOKEN_LEN, bearer_token};
pub use cache::CachedVerifier;
pub use claims::{Claims, INS_TEST_SYSTEM, Mode, Requester, RequesterKind};
pub use error::{AuthError, ErrorClass};
pub use keys::{DEV_AUDIENCE, DEV_ISSUER, DevKeys, JWKS_FILE, PRIVATE_KEY_FILE};
pub use mint::{DEV_ADMIN_OPERATOR, TokenArgs, run_token};
pub use scopes::{Context, Op, SmartScope, parse_scopes, permits};
pub use verify::{LEEWAY_SECONDS, MAX_JWKS_BYTES, Verifier};
