//! Value set expansion over the ValueSets and CodeSystems of a [`ProfileSet`], simplified
//! (<https://hl7.org/fhir/R4/valueset.html#compositions>): an `expansion` when given, else
//! `compose` with enumerated concepts, whole complete CodeSystems of the set, filters over them
//! (see `filters.rs`), and included value sets; excludes of concepts or filters. Unknown or
//! incomplete code systems, and filters not understood, make a value set not expandable
//! (`None`): bindings to it are not checked. Core value sets of
//! required bindings come from the R4 model.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use super::set::ProfileSet;
use crate::model::r4;

/// The codes of a value set.
#[derive(Debug, Default)]
pub(crate) struct Expansion {
    /// `(system, code)`.
    codes: HashSet<(String, String)>,
    systems: HashSet<String>,
}

impl Expansion {
    /// `true` when `system|code` is in the value set.
    pub fn contains(&self, system: &str, code: &str) -> bool {
        self.codes.contains(&(system.to_owned(), code.to_owned()))
    }

    /// `true` when `code` is in the value set for some system.
    pub fn contains_code(&self, code: &str) -> bool {
        self.codes.iter().any(|(_, c)| c == code)
    }

    /// `true` when some code of the value set is from `system`.
    pub fn has_system(&self, system: &str) -> bool {
        self.systems.contains(system)
    }

    fn add(&mut self, system: &str, code: &str) {
        self.systems.insert(system.to_owned());
        self.codes.insert((system.to_owned(), code.to_owned()));
    }
}

impl ProfileSet {
    /// The expansion of value set `url` (cached), or `None` when it cannot be expanded.
    pub(crate) fn expansion(&self, url: &str) -> Option<Arc<Expansion>> {
        let url = super::node::unversioned(url);
        if let Some(cached) = self
            .expansions
            .read()
            .ok()
            .and_then(|c| c.get(url).cloned())
        {
            return cached;
        }
        let computed = self.expand(url, 0).map(Arc::new);
        if let Ok(mut cache) = self.expansions.write() {
            cache.insert(url.to_owned(), computed.clone());
        }
        computed
    }

    fn expand(&self, url: &str, depth: u32) -> Option<Expansion> {
        if depth > 8 {
            return None;
        }
        let Some(vs) = self.value_sets.get(url) else {
            let core = r4().value_set(url)?;
            let mut e = Expansion::default();
            core.concepts().for_each(|c| e.add(c.system, c.code));
            return Some(e);
        };
        let mut e = Expansion::default();
        if let Some(contains) = vs.pointer("/expansion/contains").and_then(Value::as_array) {
            add_contains(&mut e, contains);
            return Some(e);
        }
        let includes = vs.pointer("/compose/include").and_then(Value::as_array)?;
        for include in includes {
            self.include(&mut e, include, depth)?;
        }
        let excludes = vs.pointer("/compose/exclude").and_then(Value::as_array);
        for exclude in excludes.into_iter().flatten() {
            let system = exclude.get("system").and_then(Value::as_str)?;
            let codes: Vec<String> = match exclude.get("filter").and_then(Value::as_array) {
                Some(filters) => self.filtered(system, filters)?,
                None => exclude
                    .get("concept")
                    .and_then(Value::as_array)?
                    .iter()
                    .filter_map(|c| Some(c.get("code")?.as_str()?.to_owned()))
                    .collect(),
            };
            for code in codes {
                e.codes.remove(&(system.to_owned(), code));
            }
        }
        Some(e)
    }

    fn include(&self, e: &mut Expansion, include: &Value, depth: u32) -> Option<()> {
        if let Some(filters) = include.get("filter").and_then(Value::as_array) {
            let system = include.get("system").and_then(Value::as_str)?;
            for code in self.filtered(system, filters)? {
                e.add(system, &code);
            }
            return Some(());
        }
        let value_sets = include.get("valueSet").and_then(Value::as_array);
        for vs in value_sets.into_iter().flatten().filter_map(Value::as_str) {
            let other = self.expand(super::node::unversioned(vs), depth + 1)?;
            e.codes.extend(other.codes);
            e.systems.extend(other.systems);
        }
        let Some(system) = include.get("system").and_then(Value::as_str) else {
            return Some(());
        };
        match include.get("concept").and_then(Value::as_array) {
            Some(concepts) => {
                for code in concepts.iter().filter_map(|c| c.get("code")?.as_str()) {
                    e.add(system, code);
                }
            }
            None => self.whole_code_system(e, system)?,
        }
        Some(())
    }

    /// The codes of the complete local code system `system` that pass `filters`.
    fn filtered(&self, system: &str, filters: &[Value]) -> Option<Vec<String>> {
        let cs = self.code_systems.get(super::node::unversioned(system))?;
        if cs.get("content").and_then(Value::as_str) != Some("complete") {
            return None;
        }
        let concepts = cs.get("concept").and_then(Value::as_array)?;
        super::filters::select(concepts, filters)
    }

    fn whole_code_system(&self, e: &mut Expansion, system: &str) -> Option<()> {
        let cs = self.code_systems.get(super::node::unversioned(system))?;
        if cs.get("content").and_then(Value::as_str) != Some("complete") {
            return None;
        }
        let concepts = cs.get("concept").and_then(Value::as_array)?;
        add_concepts(e, system, concepts);
        Some(())
    }
}

fn add_concepts(e: &mut Expansion, system: &str, concepts: &[Value]) {
    for c in concepts {
        if let Some(code) = c.get("code").and_then(Value::as_str) {
            e.add(system, code);
        }
        if let Some(nested) = c.get("concept").and_then(Value::as_array) {
            add_concepts(e, system, nested);
        }
    }
}

fn add_contains(e: &mut Expansion, contains: &[Value]) {
    for c in contains {
        let system = c.get("system").and_then(Value::as_str);
        let code = c.get("code").and_then(Value::as_str);
        if let (Some(system), Some(code)) = (system, code) {
            e.add(system, code);
        }
        if let Some(nested) = c.get("contains").and_then(Value::as_array) {
            add_contains(e, nested);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn value_sets_expand_from_code_systems_and_concepts() {
        let mut set = ProfileSet::new();
        set.add(
            json!({"resourceType": "CodeSystem", "url": "http://cs", "content": "complete",
            "concept": [{"code": "a", "concept": [{"code": "a1"}]}, {"code": "b"}]}),
        );
        set.add(json!({"resourceType": "ValueSet", "url": "http://vs1",
            "compose": {"include": [{"system": "http://cs"}], "exclude": [
                {"system": "http://cs", "concept": [{"code": "b"}]}]}}));
        set.add(json!({"resourceType": "ValueSet", "url": "http://vs2", "compose": {"include": [
            {"valueSet": ["http://vs1|1.0"]}, {"system": "http://other", "concept": [{"code": "z"}]}]}}));
        set.add(json!({"resourceType": "ValueSet", "url": "http://vs3", "compose": {"include": [
            {"system": "http://cs", "filter": [{"property": "concept", "op": "is-a", "value": "a"}]}]}}));
        let vs2 = set.expansion("http://vs2").unwrap();
        assert!(vs2.contains("http://cs", "a1") && vs2.contains("http://other", "z"));
        assert!(!vs2.contains("http://cs", "b") && vs2.has_system("http://cs"));
        let vs3 = set.expansion("http://vs3").unwrap();
        assert!(vs3.contains("http://cs", "a1") && !vs3.contains("http://cs", "b"));
        set.add(json!({"resourceType": "ValueSet", "url": "http://vs4", "compose": {"include": [
            {"system": "http://cs", "filter": [{"property": "concept", "op": "generalizes", "value": "a1"}]}]}}));
        assert!(set.expansion("http://vs4").is_none());
        assert!(set.expansion("http://nowhere").is_none());
        let gender = set
            .expansion("http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1")
            .unwrap();
        assert!(gender.contains_code("female"));
    }
}
