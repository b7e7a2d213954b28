//! Key persistence and JWKS loading tests.

use jsonwebtoken::{Algorithm, Header, encode};

use super::tests::{base_claims, keys, valid_value};
use super::*;

#[test]
fn load_or_create_is_stable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/keys");
    let first = DevKeys::load_or_create(&path).expect("create");
    let pem = std::fs::read_to_string(path.join(PRIVATE_KEY_FILE)).expect("pem");
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let second = DevKeys::load_or_create(&path).expect("load");
    assert_eq!(first.kid(), second.kid());
    assert_eq!(first.jwks_json(), second.jwks_json());
    assert_eq!(
        std::fs::read_to_string(path.join(PRIVATE_KEY_FILE)).expect("pem"),
        pem
    );
    let token = first
        .mint(&base_claims(RequesterKind::Admin, "a"))
        .expect("mint");
    assert!(second.verifier().verify(&token).is_ok());
    let file =
        Verifier::from_jwks_file(&path.join(JWKS_FILE), DEV_ISSUER, DEV_AUDIENCE).expect("file");
    assert!(file.verify(&token).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path.join(PRIVATE_KEY_FILE)).expect("meta");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    // A deleted JWKS is regenerated identically.
    std::fs::remove_file(path.join(JWKS_FILE)).expect("rm");
    assert_eq!(
        DevKeys::load_or_create(&path).expect("load").jwks_json(),
        first.jwks_json()
    );
}

#[test]
fn concurrent_first_use_agrees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keys");
    let kids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| DevKeys::load_or_create(&path).map(|k| k.kid().to_owned())))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok())
            .filter_map(Result::ok)
            .collect()
    });
    assert_eq!(kids.len(), 4);
    assert!(kids.iter().all(|k| *k == kids[0]));
    assert_eq!(DevKeys::load_or_create(&path).expect("load").kid(), kids[0]);
}

#[test]
fn bad_jwks_documents() {
    for doc in [
        &b"not json"[..],
        br#"{"nokeys": []}"#,
        br#"{"keys": []}"#,
        br#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#,
        br#"{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": "RS512"}]}"#,
    ] {
        assert!(matches!(
            Verifier::from_jwks(doc, "i", "a"),
            Err(AuthError::Jwks(_))
        ));
    }
    let missing =
        Verifier::from_jwks_file(std::path::Path::new("/nonexistent/jwks.json"), "i", "a");
    assert!(matches!(missing, Err(AuthError::KeyFile { .. })));
}

#[tokio::test]
async fn jwks_url_fetch() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_dir, keys) = keys();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let body = keys.jwks_json().to_owned();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut buf = [0u8; 2048];
        let _ = socket.read(&mut buf).await;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(response.as_bytes()).await.expect("write");
    });
    let url = format!("http://127.0.0.1:{}/jwks.json", addr.port());
    let verifier = Verifier::from_jwks_url(&url, DEV_ISSUER, DEV_AUDIENCE)
        .await
        .expect("fetch");
    server.await.expect("server");
    let token = keys
        .mint(&base_claims(RequesterKind::Admin, "a"))
        .expect("mint");
    assert!(verifier.verify(&token).is_ok());
    let insecure = Verifier::from_jwks_url("http://example.org/jwks", "i", "a").await;
    assert!(matches!(insecure, Err(AuthError::JwksFetch { .. })));
}

#[test]
fn kid_selection() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("not-a-known-kid".into());
    let token = encode(&header, &valid_value(), &keys.encoding).expect("sign");
    assert!(matches!(
        verifier.verify(&token),
        Err(AuthError::UnknownKid)
    ));
    // No kid and a single key: that key is used.
    let token = encode(
        &Header::new(Algorithm::ES256),
        &valid_value(),
        &keys.encoding,
    )
    .expect("sign");
    assert!(verifier.verify(&token).is_ok());
}
