//! FHIR NPM packages: a folder (unpacked, with or without its `package/` level) or a `.tgz`
//! archive, read with its manifest (`package.json`: name, version, dependencies), and the
//! resolution of a package list with its dependencies, which are loaded first.
//!
//! A dependency is found among the packages given, or in the FHIR package cache
//! (`$FHIR_PACKAGE_CACHE`, default `~/.fhir/packages`, laid out `name#version/package/…` as the
//! HL7 tools fill it). `hl7.fhir.r4.core` is built in and never looked for.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The package every R4 package depends on, whose definitions are compiled in.
const CORE: &str = "hl7.fhir.r4.core";

/// One package read from disk.
#[derive(Debug, Clone)]
pub struct Package {
    /// Manifest name (`""` when the folder has no manifest).
    pub name: String,
    /// Manifest version.
    pub version: String,
    /// `(name, version)` of the manifest's dependencies.
    pub dependencies: Vec<(String, String)>,
    /// The JSON resources at the package's top level (not its `example/` or `other/` folders).
    pub resources: Vec<Value>,
}

impl Package {
    /// `name#version`, or `name` when the version is unknown.
    pub fn label(&self) -> String {
        if self.version.is_empty() {
            self.name.clone()
        } else {
            format!("{}#{}", self.name, self.version)
        }
    }
}

/// Reads the package at `path`: a folder or a `.tgz` / `.tar.gz` archive.
///
/// # Errors
/// The path cannot be read, or the archive is not a gzip'd tar.
pub fn read(path: &Path) -> std::io::Result<Package> {
    if path.is_dir() {
        read_dir(path)
    } else {
        read_tgz(path)
    }
}

fn read_dir(dir: &Path) -> std::io::Result<Package> {
    let inner = dir.join("package");
    let lib = if inner.is_dir() { inner.as_path() } else { dir };
    let mut manifest = Value::Null;
    let mut resources = Vec::new();
    for entry in fs::read_dir(lib)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match path.file_name().and_then(|n| n.to_str()) {
            Some("package.json") => manifest = value,
            Some(".index.json") => {}
            _ => resources.push(value),
        }
    }
    if manifest.is_null()
        && let Ok(text) = fs::read_to_string(dir.join("package.json"))
    {
        manifest = serde_json::from_str(&text).unwrap_or(Value::Null);
    }
    Ok(from_parts(&manifest, resources))
}

fn read_tgz(path: &Path) -> std::io::Result<Package> {
    let file = fs::File::open(path)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut manifest = Value::Null;
    let mut resources = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        // Top-level files of `package/` only (examples and other folders are not definitions).
        let Some(file) = name.strip_prefix("package/") else {
            continue;
        };
        if file.contains('/') || !file.ends_with(".json") || file == ".index.json" {
            continue;
        }
        let mut text = String::new();
        if entry.read_to_string(&mut text).is_err() {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if file == "package.json" {
            manifest = value;
        } else {
            resources.push(value);
        }
    }
    Ok(from_parts(&manifest, resources))
}

fn from_parts(manifest: &Value, resources: Vec<Value>) -> Package {
    let text = |k: &str| manifest[k].as_str().unwrap_or_default().to_owned();
    let dependencies = manifest["dependencies"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    Package {
        name: text("name"),
        version: text("version"),
        dependencies,
        resources,
    }
}

/// The packages of a list with their dependencies, dependencies first, and the dependencies
/// that could not be found (`name#version`).
#[derive(Debug, Default)]
pub struct Resolved {
    /// Packages in load order.
    pub packages: Vec<Package>,
    /// Dependencies found neither among the packages given nor in the cache.
    pub missing: Vec<String>,
}

/// What [`ProfileSet::load_packages`](super::ProfileSet::load_packages) added.
#[derive(Debug, Default)]
pub struct Loaded {
    /// `(name#version, resources added)` per package, in load order.
    pub packages: Vec<(String, usize)>,
    /// Dependencies found neither among the packages given nor in the cache (`name#version`).
    pub missing: Vec<String>,
}

/// Where dependencies are looked for when not given: `$FHIR_PACKAGE_CACHE`, else
/// `~/.fhir/packages`.
pub fn default_cache() -> Option<PathBuf> {
    std::env::var_os("FHIR_PACKAGE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".fhir/packages")))
}

/// Reads `paths` and resolves their dependencies (recursively) among them and in `cache`.
///
/// # Errors
/// `path: reason` for a given package that cannot be read.
pub fn resolve(paths: &[PathBuf], cache: Option<&Path>) -> Result<Resolved, String> {
    let mut given = Vec::new();
    for p in paths {
        given.push(read(p).map_err(|e| format!("{}: {e}", p.display()))?);
    }
    let by_name: HashMap<String, usize> = given
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.name.is_empty())
        .map(|(i, p)| (p.name.clone(), i))
        .collect();
    let mut out = Resolved::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut slots: Vec<Option<Package>> = given.into_iter().map(Some).collect();
    for i in 0..slots.len() {
        if let Some(p) = slots[i].take() {
            visit(p, &by_name, &mut slots, cache, &mut seen, &mut out);
        }
    }
    Ok(out)
}

/// Depth-first: `p`'s dependencies are pushed before it.
fn visit(
    p: Package,
    by_name: &HashMap<String, usize>,
    slots: &mut [Option<Package>],
    cache: Option<&Path>,
    seen: &mut HashSet<String>,
    out: &mut Resolved,
) {
    if !p.name.is_empty() && !seen.insert(p.name.clone()) {
        return;
    }
    for (name, version) in &p.dependencies {
        if name == CORE || seen.contains(name) {
            continue;
        }
        let dep = match by_name.get(name) {
            Some(&i) => slots[i].take(),
            None => cache
                .map(|c| c.join(format!("{name}#{version}")))
                .filter(|d| d.is_dir())
                .and_then(|d| read(&d).ok()),
        };
        match dep {
            Some(d) => visit(d, by_name, slots, cache, seen, out),
            None if by_name.contains_key(name) => {}
            None => out.missing.push(format!("{name}#{version}")),
        }
    }
    out.packages.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_dir(root: &Path, name: &str, deps: &[(&str, &str)], files: &[(&str, &str)]) {
        let lib = root.join("package");
        fs::create_dir_all(&lib).unwrap();
        let deps: serde_json::Map<String, Value> = deps
            .iter()
            .map(|(n, v)| ((*n).to_owned(), Value::from(*v)))
            .collect();
        let manifest = serde_json::json!({"name": name, "version": "1.0.0", "dependencies": deps});
        fs::write(lib.join("package.json"), manifest.to_string()).unwrap();
        for (f, text) in files {
            fs::write(lib.join(f), text).unwrap();
        }
    }

    fn tgz(src: &Path, dest: &Path) {
        let file = fs::File::create(dest).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut builder = tar::Builder::new(gz);
        builder
            .append_dir_all("package", src.join("package"))
            .unwrap();
        builder.into_inner().unwrap().finish().unwrap();
    }

    #[test]
    fn archives_and_folders_load_dependencies_first() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().join("base");
        write_dir(
            &base,
            "example.base",
            &[(CORE, "4.0.1")],
            &[(
                "ValueSet-a.json",
                r#"{"resourceType":"ValueSet","url":"http://x/a"}"#,
            )],
        );
        let cache = tmp.path().join("cache");
        write_dir(
            &cache.join("example.cached#2.0.0"),
            "example.cached",
            &[],
            &[(
                "CodeSystem-c.json",
                r#"{"resourceType":"CodeSystem","url":"http://x/c"}"#,
            )],
        );
        let top = tmp.path().join("top");
        write_dir(
            &top,
            "example.top",
            &[
                ("example.base", "1.0.0"),
                ("example.cached", "2.0.0"),
                ("example.absent", "3.0.0"),
            ],
            &[(
                "ValueSet-b.json",
                r#"{"resourceType":"ValueSet","url":"http://x/b"}"#,
            )],
        );
        fs::create_dir_all(top.join("package/example")).unwrap();
        fs::write(top.join("package/example/Patient-p.json"), "{}").unwrap();
        let top_tgz = tmp.path().join("top.tgz");
        tgz(&top, &top_tgz);
        let archived = read(&top_tgz).unwrap();
        assert_eq!(archived.label(), "example.top#1.0.0");
        assert_eq!(archived.resources.len(), 1, "examples are not definitions");
        let r = resolve(&[top_tgz, base], Some(&cache)).unwrap();
        let order: Vec<&str> = r.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(order, ["example.base", "example.cached", "example.top"]);
        assert_eq!(r.missing, ["example.absent#3.0.0"]);
        assert!(resolve(&[tmp.path().join("nowhere.tgz")], None).is_err());
    }
}
