//! HTTP only: a request becomes [`RequestParts`](crate::interaction::RequestParts) and an
//! [`Interaction`](crate::interaction::Interaction); an [`Outcome`](crate::interaction::Outcome) becomes a
//! response (status, `ETag`, `Location`, `Last-Modified`, format negotiation, `Prefer`).
//! The error → status table is in [`error`].

mod auth;
mod binary;
mod error;
mod format;
mod handler;
mod render;

use std::sync::Arc;

use axum::Router;
use axum::routing::any;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use auth::AuthMode;
pub use error::{outcome_of, status_line, status_of};

use crate::interaction::Context;

/// HTTP settings of the app.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The path the FHIR base is mounted at, e.g. `/fhir` (empty for the root).
    pub base_path: String,
    /// Largest request body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// How requests are authenticated.
    pub auth: AuthMode,
}

/// Shared state of the handlers (cloned for every request: reference counts only).
#[derive(Debug, Clone)]
pub struct AppState {
    /// Interaction context.
    pub ctx: Arc<Context>,
    /// HTTP settings.
    pub config: Arc<ApiConfig>,
}

/// The whole HTTP application, built once; testable without a socket.
pub fn app(ctx: Context, config: ApiConfig) -> Router {
    let base = config.base_path.trim_end_matches('/').to_owned();
    let state = AppState {
        ctx: Arc::new(ctx),
        config: Arc::new(config),
    };
    let router = if base.is_empty() {
        Router::new()
            .route("/{*rest}", any(handler::handle))
            .route("/", any(handler::handle))
    } else {
        Router::new()
            .route(&format!("{base}/{{*rest}}"), any(handler::handle))
            .route(&base, any(handler::handle))
            .route(&format!("{base}/"), any(handler::handle))
    };
    let router = router.fallback(handler::not_found).with_state(state);
    // Around the whole router once (outermost first), not around each route as `Router::layer`
    // does: each route's stack was boxed and cloned for every request (~20 allocations).
    let service = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(handler::make_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(compression())
        .layer(CatchPanicLayer::custom(error::panic_response))
        .service(router);
    Router::new().fallback_service(service)
}

/// gzip when the client's `Accept-Encoding` asks for it, for bodies over 1 KiB that compress:
/// FHIR JSON and XML (Bundles shrink several times), not documents that are compressed already
/// (PDF, images, archives).
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(1024)
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::SSE);
    CompressionLayer::new().compress_when(predicate)
}
