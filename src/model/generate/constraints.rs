//! Gives every distinct constraint of the definitions one id, so elements can refer to it.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{arr, s};
use crate::model::defs::{CORE_SD, ConstraintDef, Severity};

/// What makes two constraints the same: key, severity, human text, expression.
type Content = (String, Severity, String, String);

/// All constraints found in the StructureDefinitions, with their ids.
pub(super) struct Registry {
    ids: HashMap<Content, String>,
    /// The distinct constraints in order of first appearance.
    pub rows: Vec<ConstraintDef>,
}

impl Registry {
    /// Collects the constraints of every snapshot element of `sds`. The id is the key, unless
    /// R4 uses the key for different constraints (`inv-1`): then `Source:key`.
    pub fn build(sds: &[&Value]) -> Result<Self, String> {
        let mut found: Vec<(Content, String)> = Vec::new();
        let mut seen: HashSet<Content> = HashSet::new();
        for sd in sds {
            let own = s(sd, "id").unwrap_or_default();
            for el in arr(sd.get("snapshot").unwrap_or(&Value::Null), "element") {
                for c in arr(el, "constraint") {
                    let content = content(c)?;
                    let source =
                        s(c, "source").map_or(own, |u| u.strip_prefix(CORE_SD).unwrap_or(u));
                    if seen.insert(content.clone()) {
                        found.push((content, source.to_owned()));
                    }
                }
            }
        }
        let mut per_key: HashMap<&str, usize> = HashMap::new();
        for (c, _) in &found {
            *per_key.entry(c.0.as_str()).or_default() += 1;
        }
        let mut ids = HashMap::new();
        let mut rows = Vec::new();
        for (c, source) in &found {
            let id = if per_key[c.0.as_str()] == 1 {
                c.0.clone()
            } else {
                format!("{source}:{}", c.0)
            };
            if rows.iter().any(|r: &ConstraintDef| r.id == id) {
                return Err(format!("constraint id {id} is ambiguous"));
            }
            rows.push(ConstraintDef {
                id: id.clone(),
                key: c.0.clone(),
                severity: c.1,
                human: c.2.clone(),
                expression: c.3.clone(),
                source: source.clone(),
            });
            ids.insert(c.clone(), id);
        }
        Ok(Registry { ids, rows })
    }

    /// The ids of the constraints of one element definition.
    pub fn ids_of(&self, el: &Value) -> Result<Vec<String>, String> {
        arr(el, "constraint")
            .iter()
            .map(|c| {
                let content = content(c)?;
                self.ids
                    .get(&content)
                    .cloned()
                    .ok_or_else(|| format!("unregistered constraint {}", content.0))
            })
            .collect()
    }
}

fn content(c: &Value) -> Result<Content, String> {
    let key = s(c, "key").ok_or("constraint without key")?;
    let severity = match s(c, "severity") {
        Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        other => return Err(format!("constraint {key}: bad severity {other:?}")),
    };
    let human = s(c, "human").unwrap_or_default().to_owned();
    let expression =
        s(c, "expression").ok_or_else(|| format!("constraint {key} has no expression"))?;
    Ok((key.to_owned(), severity, human, expression.to_owned()))
}
