//! Starting the real app on an ephemeral port, and small request helpers.

use std::future::IntoFuture;

use carnet::interaction::validation::{Mode, UnknownProfile};
use carnet::interaction::{Context, Options};
use carnet::store::Store;
use carnet::{ApiConfig, app};
use reqwest::{Client, Response};
use serde_json::Value;
use sqlx::Connection;

/// A running server and a client for it.
pub struct TestServer {
    /// FHIR base URL, e.g. `http://127.0.0.1:4242/fhir`.
    pub base: String,
    /// HTTP client, sending an administrator's token.
    pub http: Client,
    /// The development keys the server trusts.
    pub keys: carnet::auth::DevKeys,
    _dir: tempfile::TempDir,
}

/// Body limit used by the tests (1 MiB), so the 413 test stays small.
pub const TEST_BODY_LIMIT: usize = 1024 * 1024;

/// Start a server on a fresh database, validating in `warn` mode: base R4 errors block, the DMP
/// profiles' only warn (most tests are about generic FHIR behaviour, with minimal resources).
pub async fn start() -> TestServer {
    start_with(Mode::Warn, UnknownProfile::Error).await
}

/// Start a server validating in `strict` mode (the default of `carnet serve`).
pub async fn start_strict() -> TestServer {
    start_with(Mode::Strict, UnknownProfile::Error).await
}

/// Start a strict server where an unknown declared profile is only a warning
/// (`--unknown-profile warning`).
pub async fn start_strict_unknown_profiles_warned() -> TestServer {
    start_with(Mode::Strict, UnknownProfile::Warning).await
}

async fn start_with(mode: Mode, unknown_profile: UnknownProfile) -> TestServer {
    carnet::tls::init();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("CARNET_TEST_POSTGRES") {
        Ok(admin) => fresh_postgres(&admin).await,
        Err(_) => format!("sqlite://{}/carnet.db", dir.path().display()),
    };
    let store = Store::connect(&url).await.expect("connect store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/fhir", listener.local_addr().expect("addr"));
    let options = Options {
        validation: mode,
        packages: Vec::new(),
        no_audit: false,
        unknown_profile,
    };
    let ctx = Context::open(store, &base, &options)
        .await
        .expect("context");
    let keys = carnet::auth::DevKeys::load_or_create(&dir.path().join("keys")).expect("dev keys");
    let config = ApiConfig {
        base_path: "/fhir".into(),
        max_body_bytes: TEST_BODY_LIMIT,
        auth: carnet::AuthMode::Bearer(std::sync::Arc::new(carnet::auth::CachedVerifier::new(
            keys.verifier(),
        ))),
    };
    tokio::spawn(axum::serve(listener, app(ctx, config)).into_future());
    let mut server = TestServer {
        base,
        http: Client::new(),
        keys,
        _dir: dir,
    };
    server.http = server.client(&server.token(&["--admin"]));
    server
}

async fn fresh_postgres(admin: &str) -> String {
    let name = format!("carnet_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("reach PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (server, _) = admin.rsplit_once('/').expect("admin URL with a database");
    format!("{server}/{name}")
}

impl TestServer {
    /// A token minted like `carnet token --dev-keys DIR <args>`.
    pub fn token(&self, args: &[&str]) -> String {
        let mut argv = vec![
            "--dev-keys".to_owned(),
            self.keys.dir().display().to_string(),
        ];
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        let args = carnet::auth::TokenArgs::parse_args(argv).expect("token arguments");
        carnet::auth::run_token(&args).expect("mint token")
    }

    /// A client sending `token` on every request.
    pub fn client(&self, token: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        Client::builder()
            .default_headers(headers)
            .build()
            .expect("client")
    }

    /// `base/path`.
    pub fn url(&self, path: &str) -> String {
        if path.is_empty() {
            return self.base.clone();
        }
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    /// POST a resource as FHIR JSON.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.http
            .post(self.url(path))
            .header("content-type", "application/fhir+json")
            .json(body)
            .send()
            .await
            .expect("send")
    }

    /// PUT a resource as FHIR JSON.
    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.http
            .put(self.url(path))
            .header("content-type", "application/fhir+json")
            .json(body)
            .send()
            .await
            .expect("send")
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("send")
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> Response {
        self.http.delete(self.url(path)).send().await.expect("send")
    }

    /// Create `body` and return the stored resource.
    pub async fn create(&self, body: &Value) -> Value {
        let ty = body["resourceType"].as_str().expect("resourceType");
        let r = self.post(ty, body).await;
        assert_eq!(r.status(), 201, "create {ty}");
        r.json().await.expect("json")
    }
}

/// The JSON body of a response.
pub async fn json(r: Response) -> Value {
    r.json().await.expect("json body")
}

/// A fictitious patient with an INS on the test OID.
pub fn patient(ins: &str) -> Value {
    serde_json::json!({
        "resourceType": "Patient",
        "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.10", "value": ins}],
        "name": [{"family": "Test", "given": ["Camille"]}],
        "gender": "female",
        "birthDate": "1985-04-12"
    })
}
