//! Offline subcommands: `carnet validate FILE… [--profile URL]… [--package DIR]… [--output json]` — the
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
    for dir in &args.packages {
        if let Err(e) = set.load_package_dir(dir) {
            eprintln!(
                "carnet validate: cannot load package {}: {e}",
                dir.display()
            );
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
