//! TLS for the HTTP client side (a JWKS URL, `carnet bench` and `carnet conformance run` against
//! an https server): rustls with the ring provider, installed once per process.

/// Installs the ring crypto provider as rustls's default, once; later calls do nothing.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
