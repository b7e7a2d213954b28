//! Offline subcommands: `carnet validate FILE… [--profile URL]… [--package PATH]… [--output json]` — the
//! same checks as the write path (base R4, declared profiles, the DMP profile of the type, NIR/IDNPS).

use std::process::ExitCode;

use serde_json::Value;

use crate::config::ValidateArgs;
use crate::interaction::validation::invariants;
use crate::validate::{ProfileSet, Report, validate_profile};

/// Validate each file; prints a report per file (text, or one OperationOutcome per line with `--output
/// json`); exit 1 when any file has errors or cannot be read, 2 for bad arguments.
pub fn validate(args: &ValidateArgs) -> ExitCode {
    let mut set = ProfileSet::new();
    crate::dmp::load_profiles(&mut set);
    set.unknown_profile_warns = args.unknown_profile == crate::config::UnknownProfile::Warning;
    let cache = crate::validate::package::default_cache();
    match set.load_packages(&args.packages, cache.as_deref()) {
        Ok(loaded) => {
            for m in loaded.missing {
                eprintln!(
                    "carnet validate: package dependency {m} not found (given or in the package cache)"
                );
            }
        }
        Err(e) => {
            eprintln!("carnet validate: cannot load package {e}");
            return ExitCode::from(2);
        }
    }
    let mut failed = false;
    for file in &args.files {
        let report = match read(file) {
            Ok(resource) => report_of(&resource, &set, &args.profiles),
            Err(message) => {
                failed = true;
                eprintln!("{}: {message}", file.display());
                continue;
            }
        };
        failed |= report.has_errors();
        if args.repeat > 1
            && let Ok(resource) = read(file)
        {
            let rate = validations_per_second(args.repeat, || {
                report_of(&resource, &set, &args.profiles);
            });
            let line = format!(
                "{}: {} validations, {rate:.0} per second (one thread)",
                file.display(),
                args.repeat
            );
            if args.output == "json" {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }
        if args.output == "json" {
            println!("{}", report.to_operation_outcome());
        } else {
            let verdict = if report.has_errors() {
                "INVALID"
            } else {
                "valid"
            };
            println!("{}: {verdict}\n{report}", file.display());
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs `validate` `n` times; how many runs per second.
fn validations_per_second(n: u32, mut validate: impl FnMut()) -> f64 {
    let started = std::time::Instant::now();
    for _ in 0..n {
        validate();
    }
    f64::from(n) / started.elapsed().as_secs_f64().max(1e-9)
}

fn report_of(resource: &Value, set: &ProfileSet, profiles: &[String]) -> Report {
    let mut report = crate::dmp::dmp_report(resource, set, Some(invariants()));
    for url in profiles {
        report.merge(validate_profile(resource, url, set, Some(invariants())));
    }
    report
}

fn read(file: &std::path::Path) -> Result<Value, String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        crate::xml::xml_to_json(&bytes).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(&bytes).map_err(|e| format!("malformed JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_validation_counts_every_run() {
        let mut runs = 0;
        let rate = validations_per_second(25, || runs += 1);
        assert_eq!(runs, 25);
        assert!(rate > 0.0);
    }
}
