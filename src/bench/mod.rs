//! `carnet bench`: a closed-loop HTTP benchmark of a FHIR server.
//!
//! [`run`] starts the server (carnet itself by default, or any server with `--server-kind
//! generic`) on a free loopback port with a fresh SQLite or PostgreSQL database, loads a
//! population of Patients through transaction Bundles, runs each workload of
//! [`workload::WORKLOADS`] for a fixed time with N concurrent tasks, then stops the server with
//! SIGTERM. The [`BenchReport`] prints as a table and writes as JSON. Client and server share
//! the machine: figures measure the pair, not the server alone.

mod db;
mod load;
mod report;
mod rng;
mod runner;
mod server;
mod stats;
pub mod workload;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use load::Population;
pub use report::{BenchReport, Machine, ServerInfo};
pub use runner::WorkloadResult;
pub use server::StopOutcome;
pub use stats::Latency;

/// Flags of `carnet bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Server executable to start [default: this executable, i.e. carnet itself].
    #[arg(long, value_name = "PATH")]
    pub server_bin: Option<PathBuf>,
    /// `carnet` starts `serve --listen 127.0.0.1:{port} --database {database}`; `generic`
    /// starts `--server-args`.
    #[arg(long, value_enum, default_value_t = ServerKind::Carnet)]
    pub server_kind: ServerKind,
    /// Server arguments, split on whitespace; `{port}`, `{database}` (URL) and `{dir}` (a fresh
    /// temporary directory, also the working directory) are replaced.
    #[arg(long, allow_hyphen_values = true, value_name = "ARGS")]
    pub server_args: Option<String>,
    /// Path of the FHIR base on the started server.
    #[arg(long, default_value = "/fhir", value_name = "PATH")]
    pub fhir_base_path: String,
    /// Database of the started server (a fresh one, removed afterwards).
    #[arg(long, value_enum, default_value_t = DatabaseKind::Sqlite)]
    pub database: DatabaseKind,
    /// Where to create and drop the fresh PostgreSQL database (with `psql`).
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/postgres",
        value_name = "URL"
    )]
    pub postgres_admin_url: String,
    /// Bench an already running server at this FHIR base instead of starting one.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Bearer token sent with every request (default: an administrator's, from development keys
    /// the started server trusts).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Seconds per workload [default: 10, 2 with --short].
    #[arg(long, value_name = "SECS")]
    pub duration: Option<u64>,
    /// Concurrent closed-loop tasks.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub concurrency: usize,
    /// Patients loaded before the workloads [default: 1000, 200 with --short].
    #[arg(long, value_name = "N")]
    pub population: Option<usize>,
    /// DocumentReferences loaded per Patient (for the search workloads).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub documents: usize,
    /// Comma-separated workloads to run, in that order [default: all].
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub workloads: Vec<String>,
    /// Write the report as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// CI mode: 2 s per workload, population 200 (explicit flags still win).
    #[arg(long)]
    pub short: bool,
    /// Seed of the request generators (same seed, same requests).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Which server `--server-bin` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    /// Carnet: its arguments are known.
    Carnet,
    /// Any FHIR server: give `--server-args`.
    Generic,
}

/// Database backing a started server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseKind {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on `--postgres-admin-url`'s server.
    Postgres,
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Carnet => "carnet",
            Self::Generic => "generic server",
        })
    }
}

impl std::fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// The settings a run actually used (defaults and `--short` applied), as reported.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Server kind.
    pub server_kind: ServerKind,
    /// Server executable (`None` with `--base-url`).
    pub server_bin: Option<PathBuf>,
    /// Database kind (meaningless with `--base-url`).
    pub database: DatabaseKind,
    /// `--base-url`, if benching a running server.
    pub base_url: Option<String>,
    /// Seconds per workload.
    pub duration_s: u64,
    /// Concurrent tasks.
    pub concurrency: usize,
    /// Patients loaded.
    pub population: usize,
    /// DocumentReferences per Patient.
    pub documents: usize,
    /// Workloads, in run order.
    pub workloads: Vec<&'static str>,
    /// `--short` given.
    pub short: bool,
    /// Generator seed.
    pub seed: u64,
}

impl Settings {
    /// Applies defaults and `--short`; rejects unknown workloads and zero durations or
    /// concurrency.
    pub fn resolve(args: &BenchArgs) -> Result<Self, String> {
        let (duration, population) = if args.short { (2, 200) } else { (10, 1000) };
        let duration_s = args.duration.unwrap_or(duration);
        if duration_s == 0 || args.concurrency == 0 {
            return Err("--duration and --concurrency must be at least 1".into());
        }
        let workloads = if args.workloads.is_empty() {
            workload::WORKLOADS.iter().map(|w| w.name).collect()
        } else {
            args.workloads
                .iter()
                .map(|n| resolve_workload(n))
                .collect::<Result<_, _>>()?
        };
        let server_bin = match (&args.base_url, &args.server_bin) {
            (Some(_), _) => None,
            (None, Some(b)) => Some(b.clone()),
            (None, None) => std::env::current_exe().ok(),
        };
        Ok(Self {
            server_kind: args.server_kind,
            server_bin,
            database: args.database,
            base_url: args.base_url.clone(),
            duration_s,
            concurrency: args.concurrency,
            population: args.population.unwrap_or(population),
            documents: args.documents,
            workloads,
            short: args.short,
            seed: args.seed,
        })
    }
}

fn resolve_workload(name: &str) -> Result<&'static str, String> {
    workload::find(name.trim()).map(|w| w.name).ok_or_else(|| {
        let known: Vec<&str> = workload::WORKLOADS.iter().map(|w| w.name).collect();
        format!("unknown workload `{name}` (known: {})", known.join(", "))
    })
}

/// The token of `professional` workloads (set once per process by [`run`]).
pub static PROFESSIONAL_TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Tokens from fresh development keys in `dir` (the started server trusts them): an
/// administrator's, and the bench's médecin traitant's (see [`workload::BENCH_GP_IDNPS`]).
fn bench_tokens(dir: &std::path::Path) -> Result<(String, String), String> {
    use crate::auth::{Claims, DEV_ADMIN_OPERATOR, DevKeys, RequesterKind};
    let keys = DevKeys::load_or_create(dir).map_err(|e| e.to_string())?;
    let day = 24 * 3600;
    let admin = Claims::dev(
        RequesterKind::Admin,
        DEV_ADMIN_OPERATOR,
        "system/*.cruds",
        day,
    );
    let mut gp = Claims::dev(
        RequesterKind::Professional,
        workload::BENCH_GP_IDNPS,
        "user/*.cruds",
        day,
    );
    gp.idnps = Some(workload::BENCH_GP_IDNPS.to_owned());
    gp.profession = Some("10".to_owned());
    let mint = |c: &Claims| keys.mint(c).map_err(|e| e.to_string());
    Ok((mint(&admin)?, mint(&gp)?))
}

/// Runs the whole bench (see the module doc). `Err` when the settings are invalid, the server
/// cannot be started or the population cannot be loaded; failed requests during workloads
/// are not an `Err` but counted in the report (see [`BenchReport::problems`]). A started
/// server is always stopped, its database dropped.
pub async fn run(args: &BenchArgs) -> Result<BenchReport, String> {
    let settings = Settings::resolve(args)?;
    let date = report::now_rfc3339();
    let keys = tempfile::tempdir().map_err(|e| format!("cannot create temp dir: {e}"))?;
    let (token, pro) = match &args.token {
        Some(t) => (t.clone(), t.clone()),
        None => bench_tokens(keys.path())?,
    };
    let _ = PROFESSIONAL_TOKEN.set(pro);
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "--token contains characters not allowed in a header".to_owned())?;
    headers.insert(reqwest::header::AUTHORIZATION, bearer);
    crate::tls::init();
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(settings.concurrency)
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| format!("cannot build HTTP client: {e}"))?;
    let target = server::Target::start(args, &client, keys.path()).await?;
    let measured = measure(&client, &target, &settings).await;
    let base_url = target.base_url.clone();
    let stop = target.stop().await;
    let (population, results, rss) = measured?;
    let server = ServerInfo {
        base_url,
        rss_start_kib: rss[0],
        rss_loaded_kib: rss[1],
        rss_end_kib: rss[2],
        stop,
    };
    Ok(BenchReport {
        date,
        machine: Machine::detect(),
        settings,
        server,
        population,
        results,
    })
}

type Measured = (Population, Vec<WorkloadResult>, [Option<u64>; 3]);

/// Loads the population, then runs every workload in order, sampling RSS around both.
async fn measure(
    client: &reqwest::Client,
    target: &server::Target,
    s: &Settings,
) -> Result<Measured, String> {
    let rss_start = target.rss_kib();
    let population =
        load::load(client, &target.base_url, s.population, s.documents, s.seed).await?;
    let rss_loaded = target.rss_kib();
    let ids: Arc<[String]> = population.ids.clone().into();
    let duration = Duration::from_secs(s.duration_s);
    let mut results = Vec::new();
    for (i, name) in s.workloads.iter().enumerate() {
        let w = workload::find(name).ok_or_else(|| format!("unknown workload {name}"))?;
        let seed = s.seed.wrapping_add((i as u64 + 1) << 32);
        let cpu_before = target.cpu_seconds();
        let mut r = runner::run_workload(
            client,
            &target.base_url,
            ids.clone(),
            w,
            s.concurrency,
            duration,
            seed,
        )
        .await?;
        if let (Some(a), Some(b)) = (cpu_before, target.cpu_seconds()) {
            r.server_cpu_us_per_request = Some((b - a) * 1e6 / r.requests.max(1) as f64);
        }
        results.push(r);
    }
    Ok((
        population,
        results,
        [rss_start, rss_loaded, target.rss_kib()],
    ))
}

/// `carnet bench` as a command: runs, prints the table on stdout and problems on stderr,
/// writes `--json`. Exit status 1 on `Err`, failed requests or an unclean server stop.
pub async fn main(args: &BenchArgs) -> std::process::ExitCode {
    let report = match run(args).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    print!("{report}");
    let mut failed = false;
    if let Some(path) = &args.json
        && let Err(e) = report.write_json(path)
    {
        eprintln!("bench: {e}");
        failed = true;
    }
    for problem in report.problems() {
        eprintln!("bench: FIGURES SUSPECT: {problem}");
        failed = true;
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
