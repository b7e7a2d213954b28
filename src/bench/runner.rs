//! The closed-loop driver: N tasks, each sending one request, awaiting the full response,
//! recording its latency, and starting the next, until the workload's time is up.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde::Serialize;
use tokio::task::JoinSet;

use super::stats::{Latency, micros, summarize};
use super::workload::{Gen, Request, Workload};

/// Outcome of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadResult {
    /// Workload name.
    pub name: &'static str,
    /// Requests completed (successful or not).
    pub requests: u64,
    /// Non-2xx answers and transport errors.
    pub errors: u64,
    /// The first error seen, if any.
    pub first_error: Option<String>,
    /// Wall time from the first request to the last response.
    pub seconds: f64,
    /// `requests / seconds` (bundles per second for `transaction`).
    pub requests_per_s: f64,
    /// Resources carried by successful requests (100 per transaction Bundle).
    pub resources: u64,
    /// `resources / seconds`.
    pub resources_per_s: f64,
    /// Latency of every request, errors included.
    pub latency: Latency,
    /// Server CPU time (user + system) per request in microseconds, when the bench started the
    /// server: steadier than req/s on a shared machine. Excludes PostgreSQL's own processes.
    pub server_cpu_us_per_request: Option<f64>,
}

#[derive(Debug, Default)]
struct TaskOutcome {
    latencies: Vec<u32>,
    errors: u64,
    resources: u64,
    first_error: Option<String>,
}

/// Runs `workload` with `concurrency` closed-loop tasks for `duration` (requests in flight
/// when time is up are finished and counted). Task `i` is seeded with `seed + i`.
pub async fn run_workload(
    client: &Client,
    base: &str,
    ids: Arc<[String]>,
    workload: &'static Workload,
    concurrency: usize,
    duration: Duration,
    seed: u64,
) -> Result<WorkloadResult, String> {
    let started = Instant::now();
    let deadline = started + duration;
    let base: Arc<str> = Arc::from(base);
    let mut tasks = JoinSet::new();
    for i in 0..concurrency {
        let (client, base, ids) = (client.clone(), base.clone(), ids.clone());
        let seed = seed.wrapping_add(i as u64);
        tasks.spawn(task_loop(client, base, ids, workload.make, seed, deadline));
    }
    let mut all = TaskOutcome::default();
    while let Some(joined) = tasks.join_next().await {
        let t = joined.map_err(|e| format!("{} task failed: {e}", workload.name))?;
        all.latencies.extend(t.latencies);
        all.errors += t.errors;
        all.resources += t.resources;
        all.first_error = all.first_error.or(t.first_error);
    }
    let seconds = started.elapsed().as_secs_f64();
    let requests = all.latencies.len() as u64;
    Ok(WorkloadResult {
        name: workload.name,
        requests,
        errors: all.errors,
        first_error: all.first_error,
        seconds,
        requests_per_s: requests as f64 / seconds,
        resources: all.resources,
        resources_per_s: all.resources as f64 / seconds,
        latency: summarize(&mut all.latencies),
        server_cpu_us_per_request: None,
    })
}

async fn task_loop(
    client: Client,
    base: Arc<str>,
    ids: Arc<[String]>,
    make: fn(&mut Gen<'_>) -> Request,
    seed: u64,
    deadline: Instant,
) -> TaskOutcome {
    let mut generator = Gen::new(&ids, seed);
    let mut out = TaskOutcome::default();
    while Instant::now() < deadline {
        let req = make(&mut generator);
        let started = Instant::now();
        let result = match send(&client, &base, &req).await {
            Ok(r) => r
                .bytes()
                .await
                .map(drop)
                .map_err(|e| format!("reading body: {e}")),
            Err(e) => Err(e),
        };
        out.latencies.push(micros(started.elapsed()));
        match result {
            Ok(()) => out.resources += u64::from(req.resources),
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert(e);
            }
        }
    }
    out
}

/// Sends `req` below `base`; a transport error or a non-2xx status (with the start of the
/// body) is an `Err`. On `Ok` the caller still has to read the body.
pub async fn send(client: &Client, base: &str, req: &Request) -> Result<reqwest::Response, String> {
    let url = if req.path.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{}", req.path)
    };
    let mut builder = client
        .request(req.method.clone(), &url)
        .header("Accept", "application/fhir+json");
    if req.professional
        && let Some(token) = super::PROFESSIONAL_TOKEN.get()
    {
        builder = builder.header("Authorization", format!("Bearer {token}"));
    }
    if let Some(body) = &req.body {
        builder = builder
            .header("Content-Type", "application/fhir+json")
            .body(body.clone());
    }
    let what = format!("{} {}", req.method, req.path);
    let response = builder.send().await.map_err(|e| format!("{what}: {e}"))?;
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let snippet: String = text.chars().take(300).collect();
    Err(format!("{what}: HTTP {status}: {snippet}"))
}
