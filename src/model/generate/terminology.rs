//! Expansion of the value sets of required bindings from `valuesets.json`
//! (<https://hl7.org/fhir/R4/valueset.html#compositions>): whole code systems of the file,
//! explicit concept lists, included value sets (intersected, as the spec says) and excludes.
//! Filters and code systems not in the file are not expanded; the row says why.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{arr, bundle_resources, s};
use crate::model::valueset::{ValueSetRow, ValueSetSystem};

/// `(system, code, display)`.
type Code = (String, String, Option<String>);

/// Includes of included value sets nest at most this deep (guards against cycles).
const MAX_DEPTH: usize = 8;

struct Terminology<'a> {
    value_sets: HashMap<&'a str, &'a Value>,
    code_systems: HashMap<&'a str, &'a Value>,
}

/// One row per url of `required`, in that order.
pub(super) fn expand_all(bundle: &Value, required: &[String]) -> Vec<ValueSetRow> {
    let mut t = Terminology {
        value_sets: HashMap::new(),
        code_systems: HashMap::new(),
    };
    for r in bundle_resources(bundle) {
        let (Some(url), Some(kind)) = (s(r, "url"), s(r, "resourceType")) else {
            continue;
        };
        match kind {
            "ValueSet" => t.value_sets.insert(url, r),
            "CodeSystem" => t.code_systems.insert(url, r),
            _ => None,
        };
    }
    required.iter().map(|url| t.row(url)).collect()
}

impl Terminology<'_> {
    fn row(&self, url: &str) -> ValueSetRow {
        let name = self
            .value_sets
            .get(url)
            .and_then(|v| s(v, "name"))
            .map(str::to_owned);
        match self.expand(url, 0) {
            Ok(codes) => ValueSetRow {
                url: url.to_owned(),
                name,
                include: group(codes),
                unexpanded: None,
            },
            Err(why) => ValueSetRow {
                url: url.to_owned(),
                name,
                include: Vec::new(),
                unexpanded: Some(why),
            },
        }
    }

    fn expand(&self, url: &str, depth: usize) -> Result<Vec<Code>, String> {
        if depth > MAX_DEPTH {
            return Err(format!("value set includes nest deeper than {MAX_DEPTH}"));
        }
        let vs = self
            .value_sets
            .get(url)
            .ok_or_else(|| format!("value set {url} is not in valuesets.json"))?;
        let compose = vs
            .get("compose")
            .ok_or_else(|| format!("value set {url} has no compose"))?;
        let mut codes = Vec::new();
        for inc in arr(compose, "include") {
            codes.extend(self.include(inc, depth)?);
        }
        let mut excluded = HashSet::new();
        for exc in arr(compose, "exclude") {
            excluded.extend(
                self.include(exc, depth)?
                    .into_iter()
                    .map(|(sys, code, _)| (sys, code)),
            );
        }
        let mut seen = HashSet::new();
        codes.retain(|(sys, code, _)| {
            let k = (sys.clone(), code.clone());
            !excluded.contains(&k) && seen.insert(k)
        });
        Ok(codes)
    }

    /// The codes of one `compose.include` (or `exclude`).
    fn include(&self, inc: &Value, depth: usize) -> Result<Vec<Code>, String> {
        let system = s(inc, "system");
        if let Some(f) = arr(inc, "filter").first() {
            return Err(format!(
                "filter {} on {}",
                s(f, "op").unwrap_or("?"),
                system.unwrap_or("?")
            ));
        }
        let mut parts = Vec::new();
        if let Some(system) = system {
            parts.push(self.system_codes(system, arr(inc, "concept"))?);
        }
        for vs in arr(inc, "valueSet").iter().filter_map(Value::as_str) {
            parts.push(self.expand(vs.split('|').next().unwrap_or(vs), depth + 1)?);
        }
        let mut parts = parts.into_iter();
        let first = parts
            .next()
            .ok_or("an include with neither system nor valueSet")?;
        Ok(parts.fold(first, |acc, next| {
            let keep: HashSet<(String, String)> =
                next.into_iter().map(|(s, c, _)| (s, c)).collect();
            acc.into_iter()
                .filter(|(s, c, _)| keep.contains(&(s.clone(), c.clone())))
                .collect()
        }))
    }

    /// Codes of `system`: the listed `concepts`, or the whole code system when none are listed.
    fn system_codes(&self, system: &str, concepts: &[Value]) -> Result<Vec<Code>, String> {
        let cs = self.code_systems.get(system);
        if !concepts.is_empty() {
            let mut all = Vec::new();
            if let Some(cs) = cs {
                flatten(system, arr(cs, "concept"), &mut all);
            }
            return Ok(concepts
                .iter()
                .filter_map(|c| s(c, "code"))
                .map(|code| {
                    let listed = concepts
                        .iter()
                        .find(|c| s(c, "code") == Some(code))
                        .and_then(|c| s(c, "display"));
                    let known = all
                        .iter()
                        .find(|(_, c, _)| c == code)
                        .and_then(|(_, _, d)| d.as_deref());
                    (
                        system.to_owned(),
                        code.to_owned(),
                        listed.or(known).map(str::to_owned),
                    )
                })
                .collect());
        }
        let cs = cs.ok_or_else(|| format!("code system {system} is not in valuesets.json"))?;
        match s(cs, "content") {
            Some("complete") => {}
            other => {
                return Err(format!(
                    "code system {system} has content {}",
                    other.unwrap_or("?")
                ));
            }
        }
        let mut all = Vec::new();
        flatten(system, arr(cs, "concept"), &mut all);
        Ok(all)
    }
}

/// All concepts of a (possibly nested) concept list, depth first.
fn flatten(system: &str, concepts: &[Value], out: &mut Vec<Code>) {
    for c in concepts {
        if let Some(code) = s(c, "code") {
            out.push((
                system.to_owned(),
                code.to_owned(),
                s(c, "display").map(str::to_owned),
            ));
        }
        flatten(system, arr(c, "concept"), out);
    }
}

/// Groups consecutive codes of the same system.
fn group(codes: Vec<Code>) -> Vec<ValueSetSystem> {
    let mut out: Vec<ValueSetSystem> = Vec::new();
    for (system, code, display) in codes {
        match out.last_mut() {
            Some(last) if last.system == system => last.concepts.push((code, display)),
            _ => out.push(ValueSetSystem {
                system,
                concepts: vec![(code, display)],
            }),
        }
    }
    out
}
