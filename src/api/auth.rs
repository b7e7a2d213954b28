//! Who asks, at the edge: the bearer token is verified and the request's context is built for its
//! requester. `GET metadata` and `GET .well-known/smart-configuration` need no token.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::AppState;
use crate::auth::{AuthError, ErrorClass, bearer_token};
use crate::error::{Error, ErrorKind};
use crate::interaction::Context;

/// How requests are authenticated.
#[derive(Debug, Clone)]
pub enum AuthMode {
    /// No token needed: every request acts as an administrator (tests, local experiments; the
    /// server logs a warning at start).
    Disabled,
    /// Bearer JWTs checked against these keys (accepted tokens are remembered until they expire).
    Bearer(std::sync::Arc<crate::auth::CachedVerifier>),
}

/// An authentication failure: the error to answer and the `WWW-Authenticate` value.
pub struct Refused {
    /// 401 or 403 (or 400 for a malformed header).
    pub error: Error,
    /// The challenge, for a 401.
    pub challenge: Option<String>,
}

/// True for the requests that need no token.
pub fn is_public(method: &str, path: &str) -> bool {
    matches!(method, "GET" | "HEAD")
        && matches!(path, "metadata" | ".well-known/smart-configuration")
}

/// The context of this request's requester.
pub async fn context(
    state: &AppState,
    headers: &HeaderMap,
    public: bool,
) -> Result<Context, Refused> {
    let verifier = match &state.config.auth {
        AuthMode::Disabled => {
            let anonymous = crate::interaction::Requester {
                actor: crate::consent::Actor::Administrator {
                    operator: "anonymous (--no-auth)".to_owned(),
                },
                scopes: None,
                patients: Vec::new(),
            };
            return Ok(state.ctx.with_requester(anonymous));
        }
        AuthMode::Bearer(v) => v,
    };
    if public {
        return Ok(Context::clone(&state.ctx));
    }
    let header = headers.get("authorization").and_then(|v| v.to_str().ok());
    let claims = bearer_token(header)
        .and_then(|t| verifier.verify(t))
        .map_err(refused)?;
    let requester = claims.requester().map_err(refused)?;
    let scopes = claims.scopes().map_err(refused)?;
    state
        .ctx
        .for_token(&requester, scopes)
        .await
        .map_err(|error| Refused {
            challenge: (error.kind == ErrorKind::Unauthorized)
                .then(|| r#"Bearer realm="carnet", error="invalid_token""#.to_owned()),
            error,
        })
}

fn refused(e: AuthError) -> Refused {
    let kind = match e.class() {
        ErrorClass::Unauthorized => ErrorKind::Unauthorized,
        ErrorClass::Forbidden => ErrorKind::Forbidden,
        ErrorClass::BadRequest => ErrorKind::Invalid,
        _ => ErrorKind::Internal,
    };
    Refused {
        challenge: (kind == ErrorKind::Unauthorized).then(|| e.www_authenticate()),
        error: Error::new(kind, e.to_string()),
    }
}

/// `GET [base]/.well-known/smart-configuration` (SMART App Launch 2.0, backend services).
pub fn smart_configuration(base_url: &str) -> Value {
    json!({
        "issuer": crate::auth::DEV_ISSUER,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": ["system/*.cruds", "user/*.cruds", "patient/*.cruds", "system/*.rs",
            "user/*.rs", "patient/*.rs", "system/DocumentReference.c"],
        "capabilities": ["permission-v1", "permission-v2", "client-confidential-asymmetric"],
        "fhir_base": base_url,
    })
}
