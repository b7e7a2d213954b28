//! TestScript conformance runner (<https://hl7.org/fhir/R4/testscript.html>): executes R4
//! (and STU3-spelled) TestScripts against a running FHIR server, writes one TestReport per
//! script and prints a summary. See `README.md` for what is not supported.
//!
//! Entry points: [`run`] (async, returns a [`Summary`]) and [`main`] (prints and maps the
//! result to an exit code: non-zero when any script errors or any assert fails).

mod assert;
mod exchange;
mod load;
mod minimum;
mod operation;
mod operators;
mod outcome;
mod path;
mod report;
mod runner;
mod state;
mod subst;
mod validate;

pub use outcome::{ActionResult, Kind, ScriptOutcome, Section, Status};

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// `carnet conformance run` arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct RunArgs {
    /// FHIR base URL of the server under test.
    #[arg(long, default_value = "http://127.0.0.1:8080/fhir")]
    pub base: String,
    /// Bearer token sent as `Authorization: Bearer TOKEN` with every request.
    #[arg(long)]
    pub token: Option<String>,
    /// Pre-set variable `NAME=VALUE` (repeatable); wins over the script's definition.
    #[arg(long = "variable", value_name = "NAME=VALUE")]
    pub variables: Vec<String>,
    /// A test known to fail, `SCRIPT#TEST` (script id, name or file stem; test name or id), repeatable:
    /// its failure is reported but does not fail the run, and its passing does.
    #[arg(long = "expect-failure", value_name = "SCRIPT#TEST")]
    pub expect_failures: Vec<String>,
    /// Folder where one TestReport JSON per script is written.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// TestScript files (JSON or XML) or folders of them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// The result of a run.
#[derive(Clone, Debug)]
pub struct Summary {
    /// One outcome per script, in path order.
    pub scripts: Vec<ScriptOutcome>,
    /// The TestReports, in the same order.
    pub reports: Vec<serde_json::Value>,
    /// The readable summary.
    pub text: String,
    /// `--expect-failure` entries that named no test of the run (a failure: stale expectations).
    pub unmatched: Vec<String>,
}

impl Summary {
    /// Whether every script ran and passed.
    pub fn passed(&self) -> bool {
        self.unmatched.is_empty() && !self.scripts.iter().any(ScriptOutcome::is_failure)
    }
}

/// Runs every TestScript found at `args.paths` in turn and writes the reports.
///
/// # Errors
/// Bad `--variable` or `--token`, missing paths, no TestScript found, an unwritable
/// report folder. Script failures are not errors: they are in the [`Summary`].
pub async fn run(args: &RunArgs) -> Result<Summary, String> {
    let preset = parse_variables(&args.variables)?;
    let client = client(args.token.as_deref())?;
    let files: Vec<PathBuf> = load::collect_files(&args.paths)?
        .into_iter()
        .filter(|p| load::is_test_script(p))
        .collect();
    if files.is_empty() {
        return Err("no TestScript found".into());
    }
    let expected = parse_expectations(&args.expect_failures)?;
    let mut matched = vec![false; expected.len()];
    let issued = now();
    let mut scripts = Vec::new();
    let mut reports = Vec::new();
    for file in &files {
        let mut outcome = runner::run_script(&client, &args.base, &preset, file).await;
        for (i, (script, test)) in expected.iter().enumerate() {
            if !outcome.is_named(script) {
                continue;
            }
            for t in outcome
                .tests
                .iter_mut()
                .filter(|t| t.name == *test || t.id.as_deref() == Some(test))
            {
                t.expected_failure = true;
                matched[i] = true;
            }
        }
        let report = report::test_report(&outcome, &args.base, &issued);
        if let Some(dir) = &args.report_dir {
            write_report(dir, &outcome, &report)?;
        }
        scripts.push(outcome);
        reports.push(report);
    }
    let mut text = report::summary_text(&scripts);
    let unmatched: Vec<&str> = args
        .expect_failures
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(e, _)| e.as_str())
        .collect();
    if !unmatched.is_empty() {
        text.push_str(&format!(
            "--expect-failure named no test that ran: {}\n",
            unmatched.join(", ")
        ));
    }
    let unmatched = unmatched.into_iter().map(str::to_owned).collect();
    Ok(Summary {
        unmatched,
        scripts,
        reports,
        text,
    })
}

/// Runs the scripts and prints the summary; `FAILURE` when a script failed or the run could not start.
pub async fn main(args: &RunArgs) -> ExitCode {
    match run(args).await {
        Ok(summary) => {
            print!("{}", summary.text);
            if summary.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("conformance: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_variables(items: &[String]) -> Result<HashMap<String, String>, String> {
    split_all(items, '=', "--variable", "NAME=VALUE").map(|pairs| pairs.into_iter().collect())
}

fn parse_expectations(items: &[String]) -> Result<Vec<(String, String)>, String> {
    let pairs = split_all(items, '#', "--expect-failure", "SCRIPT#TEST")?;
    Ok(pairs
        .into_iter()
        .map(|(s, t)| (s, t.trim().to_owned()))
        .collect())
}

/// Each of `items` split at its first `sep` (the name trimmed), or an error naming `flag`.
fn split_all(
    items: &[String],
    sep: char,
    flag: &str,
    form: &str,
) -> Result<Vec<(String, String)>, String> {
    items
        .iter()
        .map(|item| {
            let (name, value) = item
                .split_once(sep)
                .ok_or(format!("{flag} {item}: expected {form}"))?;
            Ok((name.trim().to_owned(), value.to_owned()))
        })
        .collect()
}

fn client(token: Option<&str>) -> Result<reqwest::Client, String> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| "--token contains characters not allowed in a header".to_owned())?;
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    crate::tls::init();
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

fn write_report(
    dir: &std::path::Path,
    outcome: &ScriptOutcome,
    report: &serde_json::Value,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = outcome
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = dir.join(format!("TestReport-{stem}.json"));
    let text = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The current UTC time as a FHIR instant (seconds precision).
fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_days_to_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }

    #[test]
    fn parses_variables() {
        let vars = parse_variables(&["a=b=c".into()]).unwrap();
        assert_eq!(vars["a"], "b=c");
        assert!(parse_variables(&["nope".into()]).is_err());
    }
}
