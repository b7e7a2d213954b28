//! Conformance checks over the official material in `../shared` (HL7 test cases, R4 examples). They run when
//! `CARNET_SHARED_DIR` names that folder (`.ci/run` sets it); without it they say so and pass, since a clone of
//! the project alone has no `../shared`.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("CARNET_SHARED_DIR")?);
    dir.is_dir().then_some(dir)
}

#[test]
fn official_json_patch_cases_pass() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: JSON Patch cases skipped");
        return;
    };
    let text = std::fs::read(dir.join("fhir/patch-tests/json-patch-tests.json"))
        .expect("json-patch-tests.json");
    let cases: Vec<Value> = serde_json::from_slice(&text).expect("cases");
    let mut failed = Vec::new();
    for case in &cases {
        let result = carnet::patch::apply_json_patch(&case["doc"], &case["patch"]);
        let ok = match (case.get("expected"), result) {
            (Some(want), Ok(got)) => &got == want,
            (None, Err(_)) => case.get("error").is_some(),
            _ => false,
        };
        if !ok {
            failed.push(case["comment"].as_str().unwrap_or("?").to_owned());
        }
    }
    println!(
        "JSON Patch (RFC 6902) official cases: {} passed, {} failed",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failed: {failed:?}");
}

fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

/// JSON → XML → JSON over every file of `sub`; returns the names that did not come back equal.
fn round_trip_dir(dir: &std::path::Path) -> (usize, Vec<String>) {
    let files = json_files(dir);
    let mut failed = Vec::new();
    for file in &files {
        let original: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let ok = carnet::xml::json_to_xml(&original, false)
            .ok()
            .and_then(|x| carnet::xml::xml_to_json(x.as_bytes()).ok())
            .is_some_and(|back| back == original);
        if !ok {
            failed.push(file.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    (files.len(), failed)
}

#[test]
fn every_r4_and_fr_core_example_survives_json_xml_json() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: XML round trips skipped");
        return;
    };
    for sub in ["fhir/r4/examples", "fhir/fr/fr-core/2.2.0/example"] {
        let (total, failed) = round_trip_dir(&dir.join(sub));
        println!(
            "XML round trip {sub}: {} passed, {} failed",
            total - failed.len(),
            failed.len()
        );
        assert!(total > 0, "{sub} has no examples");
        assert!(failed.is_empty(), "{sub}: {failed:?}");
    }
}

#[test]
fn the_committed_model_tables_are_what_the_generator_writes() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: generator check skipped");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    carnet::model::generate::generate(&dir.join("fhir/r4"), out.path()).unwrap();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model/tables");
    let mut names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in &names {
        let fresh = std::fs::read(out.path().join(name)).unwrap();
        let kept = std::fs::read(committed.join(name)).unwrap_or_default();
        assert!(
            fresh == kept,
            "src/model/tables/{} is stale: run carnet generate-model",
            name.to_string_lossy()
        );
    }
    println!("model tables: {} files up to date", names.len());
}

#[test]
fn the_official_fhirpath_suite_passes_at_95_percent_or_better() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: FHIRPath suite skipped");
        return;
    };
    let model = carnet::fhirpath::r4_model();
    let report =
        carnet::fhirpath::suite::run_official_suite(&dir.join("fhir/fhirpath-tests"), &model);
    println!(
        "FHIRPath R4 official suite: {} passed, {} failed (of {})",
        report.passed,
        report.total - report.passed,
        report.total
    );
    for f in report.failures.iter().take(40) {
        println!("  failed: {f:?}");
    }
    assert!(report.total >= 900, "suite not found or truncated");
    assert!(report.passed * 100 >= report.total * 95, "below 95%");
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].trim())
}

#[test]
fn official_fhirpath_patch_cases_pass() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: FHIRPath Patch cases skipped");
        return;
    };
    let text = std::fs::read_to_string(dir.join("fhir/patch-tests/fhir-patch-tests.xml")).unwrap();
    let (mut passed, mut failed) = (0, Vec::new());
    for case in text.split("<case ").skip(1) {
        let name = between(case, "name=\"", "\"").unwrap_or("?").to_owned();
        let xml =
            |tag: &str| between(case, &format!("<{tag}>"), &format!("</{tag}>")).map(str::to_owned);
        let (Some(input), Some(diff)) = (xml("input"), xml("diff")) else {
            continue;
        };
        let input = carnet::xml::xml_to_json(input.as_bytes()).unwrap();
        let diff = carnet::xml::xml_to_json(diff.as_bytes()).unwrap();
        let got = carnet::patch::apply_fhirpath_patch(&input, &diff);
        let ok = match (xml("output"), got) {
            (Some(out), Ok(v)) => {
                carnet::xml::xml_to_json(out.as_bytes()).is_ok_and(|want| want == v)
            }
            (None, Err(_)) => true,
            _ => false,
        };
        if ok { passed += 1 } else { failed.push(name) }
    }
    println!(
        "FHIRPath Patch official cases: {passed} of {} pass; not passing: {failed:?}",
        passed + failed.len()
    );
    assert!(
        passed * 100 >= (passed + failed.len()) * 90,
        "below 90%: {failed:?}"
    );
}

fn error_count(report: &carnet::validate::Report) -> usize {
    report.errors().count()
}

#[test]
fn every_r4_example_validates_without_errors_and_fr_core_examples_against_fr_core() {
    let Some(dir) = shared() else {
        eprintln!("CARNET_SHARED_DIR not set: validation checks skipped");
        return;
    };
    let inv = carnet::interaction::validation::invariants();
    let mut failing = Vec::new();
    let r4 = json_files(&dir.join("fhir/r4/examples"));
    for f in &r4 {
        let v: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let report = carnet::validate::validate_base(&v, Some(inv));
        if error_count(&report) > 0 {
            failing.push(format!("{}: {report}", f.display()));
        }
    }
    println!(
        "R4 examples validated against base R4: {} passed, {} failed",
        r4.len() - failing.len(),
        failing.len()
    );
    // FR Core as its NPM archive (`package/…`, packed here from the unpacked folder), with the
    // folder's count as the check that nothing of it was lost.
    let fr_dir = dir.join("fhir/fr/fr-core/2.2.0");
    let from_folder = carnet::validate::ProfileSet::new()
        .load_package_dir(&fr_dir)
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("hl7.fhir.fr.core-2.2.0.tgz");
    pack(&fr_dir, &archive);
    let mut set = carnet::validate::ProfileSet::new();
    let report = set.load_packages(&[archive], None).unwrap();
    assert_eq!(report.packages.len(), 1);
    assert_eq!(report.packages[0].0, "hl7.fhir.fr.core#2.2.0");
    let loaded = report.packages[0].1;
    assert_eq!(loaded, from_folder);
    println!(
        "FR Core 2.2.0 as .tgz: {loaded} resources; dependencies not in a package cache: {:?}",
        report.missing
    );
    let fr = json_files(&dir.join("fhir/fr/fr-core/2.2.0/example"));
    let mut fr_failing = 0;
    for f in &fr {
        let v: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let report = carnet::validate::validate_declared(&v, &set, Some(inv));
        if error_count(&report) > 0 {
            fr_failing += 1;
            failing.push(format!("{}: {report}", f.display()));
        }
    }
    println!(
        "FR Core 2.2.0 examples validated against FR Core ({loaded} package resources): {} passed, {fr_failing} failed",
        fr.len() - fr_failing
    );
    assert!(failing.is_empty(), "{failing:#?}");
}

/// Packs the top-level files of the unpacked package `dir` as an NPM archive (`package/NAME`).
fn pack(dir: &Path, dest: &Path) {
    let file = std::fs::File::create(dest).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            tar.append_path_with_name(&path, format!("package/{name}"))
                .unwrap();
        }
    }
    tar.into_inner().unwrap().finish().unwrap();
}
