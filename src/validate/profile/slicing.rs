//! Slicing (<https://hl7.org/fhir/R4/profiling.html#slicing>): each value goes to the first
//! slice whose discriminators all match (value, pattern, exists, type, profile); then each
//! slice's cardinality; for closed slicing, values in no slice are errors; for `openAtEnd`, a
//! sliced value after one in no slice is; for ordered slicing, values out of the slices' order are.

use serde_json::Value;

use super::compile::Profile;
use super::matching::{extension_call, pattern_matches, resolve, suffix_is_type};
use super::node::{Node, Slicing};
use super::set::ProfileSet;
use super::walk::{Item, ProfileWalker};

impl ProfileWalker<'_> {
    /// The slice of each item of sliced node `c` (`None`: no slice), after checking the
    /// slices' cardinality and closed rules.
    pub(super) fn assign_slices(
        &mut self,
        profile: &Profile,
        c: usize,
        items: &[Item<'_>],
    ) -> Vec<Option<usize>> {
        let Some(node) = profile.node(c).filter(|n| !n.slices.is_empty()) else {
            return vec![None; items.len()];
        };
        let assigned: Vec<Option<usize>> = items
            .iter()
            .map(|item| self.slice_of(profile, node, item))
            .collect();
        for &s in &node.slices {
            if let Some(slice) = profile.node(s) {
                let count = assigned.iter().filter(|a| **a == Some(s)).count();
                self.cardinality(slice, count);
            }
        }
        let rules = node.slicing.clone().unwrap_or_default();
        // Position of each item's slice among the slices' definitions.
        let rank = |a: &Option<usize>| a.and_then(|s| node.slices.iter().position(|&x| x == s));
        let mut highest = None;
        let mut unmatched_seen = false;
        for (item, a) in items.iter().zip(&assigned) {
            let message = match (rank(a), &rules) {
                (None, Slicing { closed: true, .. }) => {
                    Some("the value matches no slice and the slicing is closed".to_owned())
                }
                (
                    Some(_),
                    Slicing {
                        open_at_end: true, ..
                    },
                ) if unmatched_seen => Some(
                    "a sliced value comes after one in no slice and the slicing is openAtEnd"
                        .to_owned(),
                ),
                (Some(r), Slicing { ordered: true, .. }) if highest.is_some_and(|h| r < h) => {
                    Some(format!(
                        "the value of slice {} comes after a value of a later slice and the \
                         slicing is ordered",
                        profile
                            .node(node.slices[r])
                            .and_then(|n| n.slice_name.as_deref())
                            .unwrap_or("?")
                    ))
                }
                _ => None,
            };
            match rank(a) {
                Some(r) => highest = highest.max(Some(r)),
                None => unmatched_seen = true,
            }
            if let Some(m) = message {
                let mark = self.w.push_field(item.key);
                let mark2 = item.index.map(|i| self.w.push_index(i));
                self.w.error("structure", format!("{}: {m}", node.path));
                mark2.inspect(|&m| self.w.restore(m));
                self.w.restore(mark);
            }
        }
        assigned
    }

    /// The first slice of `node` whose discriminators all match `item`.
    fn slice_of(&self, profile: &Profile, node: &Node, item: &Item<'_>) -> Option<usize> {
        let discriminators = node
            .slicing
            .as_ref()
            .map(|s| s.discriminators.as_slice())
            .unwrap_or_default();
        if discriminators.is_empty() {
            return None;
        }
        node.slices.iter().copied().find(|&s| {
            discriminators
                .iter()
                .all(|(kind, path)| self.discriminates(profile, s, kind, path, item))
        })
    }

    /// Whether `item` matches slice `s` for one discriminator.
    fn discriminates(
        &self,
        profile: &Profile,
        s: usize,
        kind: &str,
        path: &str,
        item: &Item<'_>,
    ) -> bool {
        let Some(value) = item.value else {
            return false;
        };
        let target = || node_at(profile, s, path).and_then(|t| profile.node(t));
        match kind {
            "value" | "pattern" => by_value(profile, s, path, value)
                .unwrap_or_else(|| by_binding(self.set, profile, s, path, value)),
            "exists" => target().is_none_or(|n| by_existence(n, path, value)),
            "type" => target().is_some_and(|n| path != "$this" || by_type(n, item, value)),
            "profile" => target().is_some_and(|n| {
                let targets = resolve(value, path);
                n.type_profiles()
                    .any(|url| targets.iter().any(|t| self.conforms(url, t) == Some(true)))
            }),
            _ => false,
        }
    }
}

/// The value at `path` equals the slice's fixed value there, or matches its pattern; `None`
/// when the slice has neither.
fn by_value(profile: &Profile, s: usize, path: &str, value: &Value) -> Option<bool> {
    let (expected, fixed) = expected_value(profile, s, path)?;
    let found = resolve(value, path).iter().any(|a| {
        if fixed {
            *a == &expected
        } else {
            pattern_matches(&expected, a)
        }
    });
    Some(found)
}

/// Without fixed or pattern value, a value discriminator is the binding of the element at
/// `path` (<https://hl7.org/fhir/R4/profiling.html#discriminator>): some value there is a code
/// of its value set.
fn by_binding(set: &ProfileSet, profile: &Profile, s: usize, path: &str, value: &Value) -> bool {
    let bound = nodes_at(profile, s, path)
        .into_iter()
        .filter_map(|t| profile.node(t)?.binding.as_ref())
        .find_map(|b| set.expansion(&b.value_set));
    let Some(vs) = bound else { return false };
    resolve(value, path).iter().any(|v| match v {
        Value::String(code) => vs.contains_code(code),
        other => {
            let system = other.get("system").and_then(Value::as_str);
            let code = other.get("code").and_then(Value::as_str);
            system.zip(code).is_some_and(|(s, c)| vs.contains(s, c))
        }
    })
}

/// The value at `path` exists when the slice requires it, is absent when it forbids it.
fn by_existence(n: &Node, path: &str, value: &Value) -> bool {
    let exists = !resolve(value, path).is_empty();
    if n.min >= 1 {
        exists
    } else if n.max == Some(0) {
        !exists
    } else {
        true
    }
}

/// The value's type (resource type, or choice suffix) is one of the slice's types.
fn by_type(n: &Node, item: &Item<'_>, value: &Value) -> bool {
    let rt = value.get("resourceType").and_then(Value::as_str);
    n.types.iter().any(|t| match rt {
        Some(rt) => t.code == rt,
        None => suffix_is_type(item.suffix, &t.code),
    })
}

/// The node at a discriminator path below slice `s` (`$this` is the slice itself).
pub(super) fn node_at(profile: &Profile, s: usize, path: &str) -> Option<usize> {
    nodes_at(profile, s, path).first().copied()
}

/// The nodes at a discriminator path below slice `s`: at each step the child and its slices
/// (`code.coding.code` finds the code fixed in a slice of `coding`).
pub(super) fn nodes_at(profile: &Profile, s: usize, path: &str) -> Vec<usize> {
    let mut current = vec![s];
    if path == "$this" {
        return current;
    }
    for segment in path.split('.') {
        let mut next = Vec::new();
        for &c in &current {
            match extension_call(segment) {
                Some(url) => next.extend(extension_slice(profile, c, url)),
                None if segment.contains('(') => {}
                None => {
                    if let Some(child) = profile.child(c, segment) {
                        next.push(child);
                        next.extend(
                            profile
                                .node(child)
                                .map(|n| n.slices.clone())
                                .unwrap_or_default(),
                        );
                    }
                }
            }
        }
        current = next;
    }
    current
}

/// The slice of `current.extension` for extension `url`.
fn extension_slice(profile: &Profile, current: usize, url: &str) -> Option<usize> {
    let ext = profile.child(current, "extension")?;
    let node = profile.node(ext)?;
    node.slices.iter().copied().find(|&s| {
        let by_profile = profile
            .node(s)
            .is_some_and(|n| n.type_profiles().any(|p| p == url));
        let fixed = profile
            .child(s, "url")
            .and_then(|u| profile.node(u))
            .and_then(|u| u.fixed.as_ref())
            .and_then(Value::as_str);
        by_profile || fixed == Some(url)
    })
}

/// The fixed (`true`) or pattern (`false`) value a slice requires at `path`; for `url` of an
/// extension slice without a fixed url, the extension's profile URL.
fn expected_value(profile: &Profile, s: usize, path: &str) -> Option<(Value, bool)> {
    for n in nodes_at(profile, s, path)
        .into_iter()
        .filter_map(|t| profile.node(t))
    {
        if let Some(f) = &n.fixed {
            return Some((f.clone(), true));
        }
        if let Some(p) = &n.pattern {
            return Some((p.clone(), false));
        }
    }
    if path == "url" {
        let url = profile.node(s)?.type_profiles().next()?;
        return Some((Value::String(url.to_owned()), true));
    }
    None
}
