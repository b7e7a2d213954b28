//! The bench report: what was measured, on what, with which settings; printed as a table
//! (`Display`) and written as JSON ([`BenchReport::write_json`]).

use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::Settings;
use super::load::Population;
use super::runner::WorkloadResult;
use super::server::StopOutcome;

/// Everything one bench run measured. `Display` is the human table.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Start of the run, UTC, RFC 3339.
    pub date: String,
    /// The machine it ran on.
    pub machine: Machine,
    /// The resolved settings.
    pub settings: Settings,
    /// The server under test.
    pub server: ServerInfo,
    /// The population loaded before the workloads.
    pub population: Population,
    /// One result per workload, in run order.
    pub results: Vec<WorkloadResult>,
}

/// The machine the bench (and the server) ran on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Logical CPUs available (`nproc`).
    pub nproc: usize,
    /// First `model name` of `/proc/cpuinfo`.
    pub cpu: String,
    /// `MemTotal` of `/proc/meminfo`, KiB.
    pub memory_kib: Option<u64>,
    /// 1-minute load average (`/proc/loadavg`) when the run ended: other work on the
    /// machine skews the figures.
    pub load_average: Option<f64>,
}

/// The server under test and its memory.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    /// FHIR base URL.
    pub base_url: String,
    /// RSS (KiB) once ready, before loading; `None` when not started by the bench.
    pub rss_start_kib: Option<u64>,
    /// RSS after loading the population (at rest, before the workloads).
    pub rss_loaded_kib: Option<u64>,
    /// RSS after the last workload.
    pub rss_end_kib: Option<u64>,
    /// How it stopped.
    pub stop: StopOutcome,
}

impl BenchReport {
    /// Total failed requests over all workloads.
    pub fn total_errors(&self) -> u64 {
        self.results.iter().map(|r| r.errors).sum()
    }

    /// Everything that makes the figures suspect: workloads with errors, an unclean stop.
    /// Empty means a clean run.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .results
            .iter()
            .filter(|r| r.errors > 0)
            .map(|r| {
                let first = r.first_error.as_deref().unwrap_or("?");
                format!(
                    "{}: {} of {} requests failed; first: {first}",
                    r.name, r.errors, r.requests
                )
            })
            .collect();
        if !self.server.stop.clean {
            out.push(format!(
                "server did not stop cleanly: {}",
                self.server.stop.exit
            ));
        }
        out
    }

    /// Writes the report as pretty JSON to `path`.
    pub fn write_json(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_header(f)?;
        let head = [
            "req/s",
            "res/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "cpu µs/req",
            "errors",
        ];
        write_row(f, "workload", &head.map(String::from), "")?;
        for r in &self.results {
            let l = &r.latency;
            let cpu = r
                .server_cpu_us_per_request
                .map_or("n/a".into(), |c| format!("{c:.0}"));
            let cells = [
                format!("{:.1}", r.requests_per_s),
                format!("{:.1}", r.resources_per_s),
                format!("{:.2}", l.p50_ms),
                format!("{:.2}", l.p95_ms),
                format!("{:.2}", l.p99_ms),
                format!("{:.1}", l.max_ms),
                cpu,
                r.errors.to_string(),
            ];
            write_row(
                f,
                r.name,
                &cells,
                if r.errors > 0 { "  <-- ERRORS" } else { "" },
            )?;
        }
        let v = &self.server;
        let (a, b, c) = (
            mib(v.rss_start_kib),
            mib(v.rss_loaded_kib),
            mib(v.rss_end_kib),
        );
        writeln!(
            f,
            "server RSS: start {a}, at rest after load {b}, after run {c}"
        )?;
        for problem in self.problems() {
            writeln!(f, "!!! {problem}")?;
        }
        Ok(())
    }
}

/// One table line: the name left-aligned in 18 columns, each cell right-aligned in 11.
fn write_row(f: &mut fmt::Formatter<'_>, name: &str, cells: &[String], mark: &str) -> fmt::Result {
    write!(f, "{name:<18}")?;
    for c in cells {
        write!(f, "{c:>11}")?;
    }
    writeln!(f, "{mark}")
}

impl BenchReport {
    /// The two lines above the table: what ran where, and with which settings.
    fn write_header(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, p, m) = (&self.settings, &self.population, &self.machine);
        match &s.base_url {
            Some(url) => write!(f, "running server at {url}")?,
            None => write!(f, "{} on {}", s.server_kind, s.database)?,
        }
        let load = m.load_average.map_or("n/a".into(), |l| format!("{l:.2}"));
        writeln!(
            f,
            ", {}, {} CPUs ({}), load {load}",
            self.date, m.nproc, m.cpu
        )?;
        writeln!(
            f,
            "concurrency {}, {} s per workload, population {} (loaded in {:.1} s, {:.0} patients/s)",
            s.concurrency, s.duration_s, p.patients, p.seconds, p.patients_per_s
        )
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

impl Machine {
    /// Reads this machine's CPU count, CPU model, memory and current load (Linux `/proc`; "unknown" elsewhere).
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or("unknown".into(), |(_, v)| v.trim().to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok());
        let load_average = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next()?.parse().ok());
        let nproc = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            nproc,
            cpu,
            memory_kib,
            load_average,
        }
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub fn rfc3339(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let rem = unix_seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

/// Now, as [`rfc3339`].
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_formatted() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn machine_detected() {
        let m = Machine::detect();
        assert!(m.nproc >= 1);
        assert!(!m.cpu.is_empty());
    }
}
