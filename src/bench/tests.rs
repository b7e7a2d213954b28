//! End-to-end: the bench against the real carnet release binary, when it has been built.

use clap::Parser;

use super::{BenchArgs, DatabaseKind, Settings, run};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: BenchArgs,
}

fn args(argv: &[&str]) -> BenchArgs {
    Cli::try_parse_from(std::iter::once("bench").chain(argv.iter().copied()))
        .unwrap()
        .args
}

#[test]
fn short_mode_and_explicit_flags() {
    let s = Settings::resolve(&args(&["--short"])).unwrap();
    assert_eq!((s.duration_s, s.population, s.concurrency), (2, 200, 16));
    assert_eq!(s.workloads.len(), super::workload::WORKLOADS.len());
    let s =
        Settings::resolve(&args(&["--short", "--duration", "1", "--population", "50"])).unwrap();
    assert_eq!((s.duration_s, s.population), (1, 50));
    let s = Settings::resolve(&args(&[])).unwrap();
    assert_eq!(
        (s.duration_s, s.population, s.database),
        (10, 1000, DatabaseKind::Sqlite)
    );
    let s = Settings::resolve(&args(&["--workloads", "update,read"])).unwrap();
    assert_eq!(s.workloads, ["update", "read"]);
    assert!(Settings::resolve(&args(&["--workloads", "read,search"])).is_err());
    assert!(Settings::resolve(&args(&["--concurrency", "0"])).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_run_against_carnet_has_no_errors() {
    // Only against a binary named explicitly: a stale build elsewhere would prove nothing.
    let Ok(bin) = std::env::var("CARNET_BENCH_BIN") else {
        eprintln!("SKIPPED: set CARNET_BENCH_BIN to a carnet binary to run the short benchmark");
        return;
    };
    let a = args(&[
        "--short",
        "--server-bin",
        &bin,
        "--duration",
        "1",
        "--population",
        "50",
        "--concurrency",
        "4",
    ]);
    let report = run(&a).await.unwrap();
    println!("{report}");
    assert!(report.problems().is_empty(), "{:?}", report.problems());
    assert_eq!(report.population.patients, 50);
    assert_eq!(report.results.len(), super::workload::WORKLOADS.len());
    assert!(
        report
            .results
            .iter()
            .all(|r| r.requests > 0 && r.errors == 0)
    );
    assert!(report.server.rss_start_kib.is_some_and(|k| k > 0));
    assert!(
        report
            .results
            .iter()
            .all(|r| r.server_cpu_us_per_request.is_some())
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["settings"]["population"], 50);
}
