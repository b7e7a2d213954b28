//! The server under test: started as a child process on a free loopback port with a fresh
//! database (or an already running one given by `--base-url`), probed until ready, stopped
//! with SIGTERM.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde::Serialize;
use tokio::process::{Child, Command};

use super::db::BenchDatabase;
use super::{BenchArgs, ServerKind};

/// How long a started server may take to answer `GET metadata` (migrations included).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// Arguments for `--server-kind carnet`: profiles are evaluated but only warn, since the generated
/// population is generic FHIR rather than DMP-shaped.
const CARNET_ARGS: &str =
    "serve --listen 127.0.0.1:{port} --database {database} --validation warn --dev-keys {keys}";

/// How the server ended, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct StopOutcome {
    /// Exit status, or why there is none.
    pub exit: String,
    /// True when the server exited successfully on SIGTERM (or was not ours to stop).
    pub clean: bool,
}

/// The FHIR server being measured.
#[derive(Debug)]
pub struct Target {
    /// FHIR base URL without a trailing slash.
    pub base_url: String,
    spawned: Option<Spawned>,
}

#[derive(Debug)]
struct Spawned {
    child: Child,
    pid: u32,
    db: BenchDatabase,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Target {
    /// Uses `--base-url` if given, else starts the server; either way returns once
    /// `GET <base>/metadata` answers 2xx. On failure nothing is left running.
    pub async fn start(args: &BenchArgs, client: &Client, keys: &Path) -> Result<Self, String> {
        if let Some(url) = &args.base_url {
            let base_url = url.trim_end_matches('/').to_string();
            wait_ready(client, &base_url, None).await?;
            return Ok(Self {
                base_url,
                spawned: None,
            });
        }
        let dir = tempfile::tempdir().map_err(|e| format!("cannot create temp dir: {e}"))?;
        let db = BenchDatabase::create(args.database, dir.path(), &args.postgres_admin_url)?;
        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}{}", base_path(&args.fhir_base_path));
        let (child, log) = match spawn(args, port, &db.url, dir.path(), keys) {
            Ok(spawned) => spawned,
            Err(e) => return Err(cleanup_after(e, &db)),
        };
        let pid = child.id().unwrap_or(0);
        let mut spawned = Spawned {
            child,
            pid,
            db,
            log,
            _dir: dir,
        };
        if let Err(e) = wait_ready(client, &base_url, Some(&mut spawned)).await {
            let _ = spawned.child.kill().await;
            return Err(cleanup_after(e, &spawned.db));
        }
        Ok(Self {
            base_url,
            spawned: Some(spawned),
        })
    }

    /// Resident set size of the started server in KiB (`VmRSS`); `None` for `--base-url`.
    pub fn rss_kib(&self) -> Option<u64> {
        self.spawned.as_ref().and_then(|s| rss_kib(s.pid))
    }

    /// CPU time (user + system, all threads) the started server has used so far, in seconds;
    /// `None` for `--base-url`. Database server processes (PostgreSQL) are not included.
    pub fn cpu_seconds(&self) -> Option<f64> {
        self.spawned.as_ref().and_then(|s| cpu_seconds(s.pid))
    }

    /// Sends SIGTERM (`kill -TERM`), waits for the exit (killing after 20 s), then drops the
    /// PostgreSQL database. A server not started by the bench is left alone.
    pub async fn stop(self) -> StopOutcome {
        let Some(mut s) = self.spawned else {
            return StopOutcome {
                exit: "not started by the bench".into(),
                clean: true,
            };
        };
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &s.pid.to_string()])
            .status();
        let mut outcome = match tokio::time::timeout(STOP_TIMEOUT, s.child.wait()).await {
            Ok(Ok(status)) => StopOutcome {
                exit: status.to_string(),
                clean: status.success(),
            },
            Ok(Err(e)) => StopOutcome {
                exit: format!("wait failed: {e}"),
                clean: false,
            },
            Err(_) => {
                let _ = s.child.kill().await;
                let exit = format!(
                    "no exit {}s after SIGTERM ({sent:?}): killed",
                    STOP_TIMEOUT.as_secs()
                );
                StopOutcome { exit, clean: false }
            }
        };
        if !outcome.clean {
            outcome.exit = format!("{}; log tail:\n{}", outcome.exit, log_tail(&s.log));
        }
        if let Err(e) = s.db.drop_database() {
            outcome = StopOutcome {
                exit: format!("{}; {e}", outcome.exit),
                clean: false,
            };
        }
        outcome
    }
}

/// `/fhir` for `fhir`, `/fhir/`, `/fhir`; empty for `/` or empty.
fn base_path(p: &str) -> String {
    let p = p.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("/{p}")
    }
}

fn cleanup_after(error: String, db: &BenchDatabase) -> String {
    match db.drop_database() {
        Ok(()) => error,
        Err(e) => format!("{error}; also: {e}"),
    }
}

/// A loopback port that was free a moment ago (bound to port 0, then released).
fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The server's argument list: `template` split on whitespace, `{port}`, `{database}` and
/// `{dir}` (the bench's temporary directory) and `{keys}` (the development keys the bench's
/// token is signed with) replaced in every word.
pub fn expand_args(
    template: &str,
    port: u16,
    database: &str,
    dir: &Path,
    keys: &Path,
) -> Vec<String> {
    let dir = dir.display().to_string();
    let keys = keys.display().to_string();
    template
        .split_whitespace()
        .map(|w| {
            w.replace("{port}", &port.to_string())
                .replace("{database}", database)
                .replace("{dir}", &dir)
                .replace("{keys}", &keys)
        })
        .collect()
}

/// Starts the server with stdout and stderr appended to `<dir>/server.log`, in `dir`.
fn spawn(
    args: &BenchArgs,
    port: u16,
    database: &str,
    dir: &Path,
    keys: &Path,
) -> Result<(Child, PathBuf), String> {
    let template = match (args.server_kind, &args.server_args) {
        (_, Some(t)) => t.as_str(),
        (ServerKind::Carnet, None) => CARNET_ARGS,
        (ServerKind::Generic, None) => {
            return Err("--server-kind generic needs --server-args".into());
        }
    };
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?,
    };
    let log = dir.join("server.log");
    let out =
        std::fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = Command::new(&bin)
        .args(expand_args(template, port, database, dir, keys))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    Ok((child, log))
}

/// Polls `GET <base>/metadata` every 100 ms until a 2xx, the child's exit, or the timeout.
async fn wait_ready(
    client: &Client,
    base: &str,
    mut child: Option<&mut Spawned>,
) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let url = format!("{base}/metadata");
    loop {
        if let Some(s) = child.as_deref_mut()
            && let Ok(Some(status)) = s.child.try_wait()
        {
            return Err(format!(
                "server exited at start ({status}); log tail:\n{}",
                log_tail(&s.log)
            ));
        }
        let last = match client.get(&url).send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => format!("HTTP {}", r.status()),
            Err(e) => e.to_string(),
        };
        if Instant::now() > deadline {
            return Err(format!(
                "{url} not ready after {}s: {last}",
                READY_TIMEOUT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `VmRSS` of process `pid` in KiB, from `/proc/<pid>/status` (Linux only).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vmrss(&status)
}

/// User + system CPU seconds of process `pid`, from `/proc/<pid>/stat` (Linux only).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_ticks(&stat).map(|ticks| ticks as f64 / USER_HZ)
}

/// Clock ticks per second of `/proc` times: fixed at 100 for user space on Linux.
const USER_HZ: f64 = 100.0;

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line; the command name in
/// parentheses may contain spaces, so fields are counted from the last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn parse_vmrss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The last 2,000 bytes (or so) of the server log.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let start = text.len().saturating_sub(2000);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_template_expanded() {
        let a = expand_args(
            CARNET_ARGS,
            8123,
            "sqlite:///t/c.db",
            Path::new("/t"),
            Path::new("/k"),
        );
        assert_eq!(
            a,
            [
                "serve",
                "--listen",
                "127.0.0.1:8123",
                "--database",
                "sqlite:///t/c.db",
                "--validation",
                "warn",
                "--dev-keys",
                "/k"
            ]
        );
        let g = expand_args(
            "--port={port}  --data {dir}/d",
            1,
            "",
            Path::new("/x"),
            Path::new("/k"),
        );
        assert_eq!(g, ["--port=1", "--data", "/x/d"]);
    }

    #[test]
    fn base_paths_normalised() {
        assert_eq!(base_path("/fhir"), "/fhir");
        assert_eq!(base_path("fhir/"), "/fhir");
        assert_eq!(base_path("/"), "");
    }

    #[test]
    fn vmrss_parsed_and_own_rss_read() {
        assert_eq!(parse_vmrss("Name:\tx\nVmRSS:\t  1234 kB\n"), Some(1234));
        assert_eq!(parse_vmrss("Name: x\n"), None);
        assert!(rss_kib(std::process::id()).is_some_and(|k| k > 0));
    }

    #[test]
    fn cpu_ticks_parsed() {
        let stat = "42 (a b) c) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0";
        assert_eq!(parse_cpu_ticks(stat), Some(300));
        assert_eq!(parse_cpu_ticks("42 (x) S 1"), None);
        assert!(cpu_seconds(std::process::id()).is_some());
    }
}
