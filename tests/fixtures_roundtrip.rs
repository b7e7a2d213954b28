//! Every JSON fixture of the project survives JSON → XML → JSON unchanged (Bundles included); the
//! deliberately invalid ones and the demo's persona list are left out.

use std::path::Path;

use serde_json::Value;

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixtures folder").flatten() {
        let p = entry.path();
        // `invalid`: deliberately broken resources; `personas`: the demo's token list, not FHIR.
        if p.is_dir() && !p.ends_with("invalid") && !p.ends_with("personas") {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_round_trips_through_xml() {
    let mut files = Vec::new();
    json_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut files,
    );
    assert!(!files.is_empty());
    for file in files {
        let original: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let xml = carnet::xml::json_to_xml(&original, true)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let back = carnet::xml::xml_to_json(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(back, original, "{}", file.display());
    }
}
