//! The trail survives a crash: the real server binary answers reads under load and is killed
//! (SIGKILL, no shutdown) while they run; started again on the same database, it holds an
//! AuditEvent for every read it had answered. On SQLite, reads' events are made durable in the
//! trail's journal and moved into the database later: the restart moves what the crash left.
//! Creates likewise: every one acknowledged before the kill is there after the restart (the
//! writer's WAL writes are gathered until SQLite syncs the WAL, `src/store/gather.rs`).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_carnet");

struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start(dir: &std::path::Path, run: &str) -> Server {
    let port = free_port();
    let log = dir.join(format!("{run}.log"));
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--database",
            &format!("sqlite://{}/carnet.db", dir.display()),
        ])
        .args(["--dev-keys", &dir.join("keys").display().to_string()])
        .args(["--validation", "warn"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("the server starts");
    let base = format!("http://127.0.0.1:{port}/fhir");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/metadata")).await.is_ok() {
            return Server { child, base, log };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "the server did not start: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

fn admin_token(dir: &std::path::Path) -> String {
    let out = Command::new(BIN)
        .args([
            "token",
            "--dev-keys",
            &dir.join("keys").display().to_string(),
            "--admin",
        ])
        .output()
        .expect("carnet token");
    String::from_utf8(out.stdout)
        .expect("token")
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_read_is_traced_after_a_crash() {
    carnet::tls::init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(dir.path(), "first").await;
    let http = reqwest::Client::new();
    let token = admin_token(dir.path());
    let created: Value = http
        .post(format!("{}/Patient", server.base))
        .bearer_auth(&token)
        .json(&json!({"resourceType": "Patient", "active": true}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("created body");
    let id = created["id"].as_str().expect("id").to_owned();

    // Reads from eight clients, until the server is killed in the middle of them.
    let answered = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (http, token, answered) = (http.clone(), token.clone(), answered.clone());
            let url = format!("{}/Patient/{id}", server.base);
            tokio::spawn(async move {
                while let Ok(r) = http.get(&url).bearer_auth(&token).send().await {
                    if r.status() == 200 {
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("killed");
    let answered = answered.load(Ordering::SeqCst);
    for r in readers {
        r.await.expect("reader");
    }
    assert!(answered > 50, "only {answered} reads answered");

    let mut again = start(dir.path(), "second").await;
    let found: Value = http
        .get(format!(
            "{}/AuditEvent?entity=Patient/{id}&subtype=read&_summary=count",
            again.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("trail search")
        .json()
        .await
        .expect("bundle");
    let total = found["total"].as_u64().expect("total") as usize;
    again.child.kill().expect("stop");
    let _ = again.child.wait();
    let log = std::fs::read_to_string(&again.log).unwrap_or_default();
    assert!(
        total >= answered,
        "{answered} reads answered, {total} traced"
    );
    assert!(
        log.contains("moving the trail's journal into the database"),
        "the restart found nothing to move: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_create_survives_a_crash() {
    carnet::tls::init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(dir.path(), "first").await;
    let http = reqwest::Client::new();
    let token = admin_token(dir.path());

    // Creates from eight clients, until the server is killed in the middle of them.
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (http, token, acknowledged) = (http.clone(), token.clone(), acknowledged.clone());
            let url = format!("{}/Patient", server.base);
            tokio::spawn(async move {
                let body = json!({"resourceType": "Patient", "active": true, "gender": "female"});
                while let Ok(r) = http.post(&url).bearer_auth(&token).json(&body).send().await {
                    if r.status() == 201 {
                        let created: Value = r.json().await.unwrap_or_default();
                        if let Some(id) = created["id"].as_str() {
                            acknowledged.lock().expect("ids").push(id.to_owned());
                        }
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("killed");
    for w in writers {
        w.await.expect("writer");
    }
    let ids = acknowledged.lock().expect("ids").clone();
    assert!(ids.len() > 20, "only {} creates acknowledged", ids.len());

    let mut again = start(dir.path(), "second").await;
    let mut missing = Vec::new();
    for id in &ids {
        let r = http
            .get(format!("{}/Patient/{id}", again.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("read");
        if r.status() != 200 {
            missing.push(id.clone());
        }
    }
    again.child.kill().expect("stop");
    let _ = again.child.wait();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged creates lost: {missing:?}",
        missing.len(),
        ids.len()
    );
}
