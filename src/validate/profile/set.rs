//! [`ProfileSet`]: the StructureDefinitions, ValueSets and CodeSystems profile validation can
//! use, by canonical URL.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, RwLock};

use serde_json::Value;

use super::compile::Profile;
use super::differential::snapshot_elements;
use super::node::unversioned;
use super::terminology::Expansion;

/// Conformance resources for [`validate_profile`](super::validate_profile). Add resources with
/// [`add`](Self::add) or [`load_package_dir`](Self::load_package_dir); lookups ignore a
/// `|version` suffix. Thread-safe: value set expansions are cached behind a lock.
#[derive(Debug, Default)]
pub struct ProfileSet {
    pub(super) structures: HashMap<String, Value>,
    profiles: HashMap<String, Arc<Profile>>,
    pub(super) value_sets: HashMap<String, Value>,
    pub(super) code_systems: HashMap<String, Value>,
    pub(super) expansions: RwLock<HashMap<String, Option<Arc<Expansion>>>>,
    /// Profiles without a StructureDefinition that the server enforces in code (the MHD
    /// submission bundles): declaring one is not an unknown profile.
    enforced: HashSet<String>,
    /// Whether a declared profile that is neither in the set nor enforced is a warning
    /// ("not checked") rather than an error (`--unknown-profile warning`).
    pub unknown_profile_warns: bool,
}

impl ProfileSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks `url` (a `|version` is ignored) as a profile the server checks in code, so that
    /// a resource declaring it is not reported for an unknown profile.
    pub fn mark_enforced(&mut self, url: &str) {
        self.enforced.insert(unversioned(url).to_owned());
    }

    /// Whether `url` was [marked enforced](Self::mark_enforced).
    pub fn is_enforced(&self, url: &str) -> bool {
        self.enforced.contains(unversioned(url))
    }

    /// Adds a StructureDefinition, ValueSet or CodeSystem; returns `false` (and keeps nothing)
    /// for another resource or one without a `url`. A StructureDefinition without snapshot is
    /// compiled from its differential over its base when that base is in the set (add bases
    /// first).
    pub fn add(&mut self, resource: Value) -> bool {
        let Some(url) = resource
            .get("url")
            .and_then(Value::as_str)
            .map(|u| unversioned(u).to_owned())
        else {
            return false;
        };
        match resource.get("resourceType").and_then(Value::as_str) {
            Some("StructureDefinition") => {
                if let Some(p) = self.compile(&url, &resource) {
                    self.profiles.insert(url.clone(), Arc::new(p));
                }
                self.structures.insert(url, resource);
            }
            Some("ValueSet") => {
                self.value_sets.insert(url, resource);
            }
            Some("CodeSystem") => {
                self.code_systems.insert(url, resource);
            }
            _ => return false,
        }
        if let Ok(mut cache) = self.expansions.write() {
            cache.clear();
        }
        true
    }

    /// Adds the conformance resources of a FHIR NPM package (a folder, with or without its
    /// `package/` level, or a `.tgz`); other files and unreadable JSON are skipped. Returns how
    /// many were added, or the error reading it. StructureDefinitions are added in dependency
    /// order as far as their bases are in the package (see [`load_packages`](Self::load_packages)
    /// for its dependencies).
    pub fn load_package_dir(&mut self, dir: &Path) -> std::io::Result<usize> {
        Ok(self.add_package(super::package::read(dir)?))
    }

    /// Adds the packages at `paths` with their dependencies (dependencies first; looked for
    /// among `paths`, then in `cache`); returns what was loaded and the dependencies not
    /// found.
    ///
    /// # Errors
    /// `path: reason` when a package given cannot be read (nothing is added then).
    pub fn load_packages(
        &mut self,
        paths: &[std::path::PathBuf],
        cache: Option<&Path>,
    ) -> Result<super::package::Loaded, String> {
        let resolved = super::package::resolve(paths, cache)?;
        let packages = resolved
            .packages
            .into_iter()
            .map(|p| (p.label(), self.add_package(p)))
            .collect();
        Ok(super::package::Loaded {
            packages,
            missing: resolved.missing,
        })
    }

    fn add_package(&mut self, package: super::package::Package) -> usize {
        let mut resources = package.resources;
        // Snapshots first, so that differentials find their bases.
        resources.sort_by_key(|r| r.get("snapshot").is_none());
        resources
            .into_iter()
            .map(|r| self.add(r))
            .filter(|&added| added)
            .count()
    }

    /// Adds the conformance resources of a Bundle (such as the core `profiles-resources.json`);
    /// returns how many were added.
    pub fn add_bundle(&mut self, bundle: &Value) -> usize {
        let entries = bundle.get("entry").and_then(Value::as_array);
        entries
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resource"))
            .map(|r| self.add(r.clone()))
            .filter(|&added| added)
            .count()
    }

    /// `true` when a StructureDefinition with canonical `url` (a `|version` is ignored) has
    /// been added, compiled or not.
    pub fn has_structure(&self, url: &str) -> bool {
        self.structures.contains_key(unversioned(url))
    }

    /// The compiled profile or extension definition at `url`.
    pub(super) fn profile(&self, url: &str) -> Option<&Arc<Profile>> {
        self.profiles.get(unversioned(url))
    }

    /// The type a StructureDefinition constrains: from the set, or the core type for a core URL.
    pub(super) fn type_of<'s>(&'s self, url: &'s str) -> Option<&'s str> {
        let url = unversioned(url);
        if let Some(sd) = self.structures.get(url) {
            return sd.get("type").and_then(Value::as_str);
        }
        url.strip_prefix(crate::model::CORE_SD)
    }

    fn compile(&self, url: &str, sd: &Value) -> Option<Profile> {
        let type_name = sd.get("type").and_then(Value::as_str)?;
        if let Some(elements) = sd.pointer("/snapshot/element").and_then(Value::as_array) {
            return Profile::from_elements(url, type_name, elements);
        }
        let base = sd.get("baseDefinition").and_then(Value::as_str)?;
        let base_sd = self.structures.get(unversioned(base))?;
        let elements = snapshot_elements(base_sd, sd)?;
        Profile::from_elements(url, type_name, &elements)
    }
}
