//! The profile walk: for each element of the profile tree, the instance's values of it, their
//! cardinality, slices, and the per-value checks; then down into children or into the type's
//! own profile (an extension definition, a datatype profile).

use serde_json::{Map, Value};

use super::compile::Profile;
use super::matching::key_is;
use super::node::Node;
use super::set::ProfileSet;
use crate::validate::walker::{Walker, json_kind};

/// Deepest nesting of profiles (extension in datatype profile in ...), against cycles.
const MAX_DEPTH: u32 = 12;

/// One profile validation in progress.
pub(super) struct ProfileWalker<'a> {
    pub w: Walker<'a>,
    pub set: &'a ProfileSet,
    pub depth: u32,
}

/// One value of an element in the instance.
#[derive(Debug, Clone, Copy)]
pub(super) struct Item<'v> {
    /// The JSON property (`valueQuantity`), without `_`.
    pub key: &'v str,
    /// Position in the JSON array, when the element repeats.
    pub index: Option<usize>,
    /// `None` for a primitive given only by its `_x` companion.
    pub value: Option<&'v Value>,
    /// The choice type suffix (`Quantity`), empty for other elements.
    pub suffix: &'v str,
}

/// The instance values of `node` in `obj`, in document order.
pub(super) fn gather<'v>(obj: &'v Map<String, Value>, node: &Node) -> Vec<Item<'v>> {
    let mut items = Vec::new();
    for (key, value) in obj {
        let (name, companion) = match key.strip_prefix('_') {
            Some(n) => (n, true),
            None => (key.as_str(), false),
        };
        if !key_is(name, &node.name, node.is_choice) || (companion && obj.contains_key(name)) {
            continue;
        }
        let suffix = name.get(node.name.len()..).unwrap_or_default();
        let make = |index, v: &'v Value| Item {
            key: name,
            index,
            value: (!companion && !v.is_null()).then_some(v),
            suffix,
        };
        match value {
            Value::Array(list) => {
                items.extend(list.iter().enumerate().map(|(i, v)| make(Some(i), v)))
            }
            v => items.push(make(None, v)),
        }
    }
    items
}

impl ProfileWalker<'_> {
    /// Validates `value` as a resource conforming to `profile`, at the current location.
    pub(super) fn resource_root(&mut self, profile: &Profile, value: &Value) {
        let Some(obj) = value.as_object() else {
            let msg = format!("a resource must be a JSON object, not {}", json_kind(value));
            self.w.error("structure", msg);
            return;
        };
        let rt = obj
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let root = self.w.location().is_empty();
        let mark = if root { self.w.push_field(rt) } else { 0 };
        if rt == profile.type_name {
            self.children(profile, 0, obj, value);
            if let Some(node) = profile.node(0) {
                self.constraints(node, value, value);
            }
        } else {
            let msg = format!(
                "profile {} is for {}, not {rt:?}",
                profile.url, profile.type_name
            );
            self.w.error("invalid", msg);
        }
        if root {
            self.w.restore(mark);
        }
    }

    /// Checks the children of node `parent` over the properties of `obj`.
    pub(super) fn children(
        &mut self,
        profile: &Profile,
        parent: usize,
        obj: &Map<String, Value>,
        resource: &Value,
    ) {
        let Some(node) = profile.node(parent) else {
            return;
        };
        for &c in &node.children {
            let Some(child) = profile.node(c) else {
                continue;
            };
            let items = gather(obj, child);
            self.cardinality(child, items.len());
            let slices = self.assign_slices(profile, c, &items);
            for (item, slice) in items.iter().zip(&slices) {
                let mark = self.w.push_field(item.key);
                let mark2 = item.index.map(|i| self.w.push_index(i));
                self.item(profile, c, item, resource);
                if let Some(s) = *slice {
                    self.item(profile, s, item, resource);
                }
                mark2.inspect(|&m| self.w.restore(m));
                self.w.restore(mark);
            }
        }
    }

    /// Reports a count outside `node.min..=node.max` at `.name`, naming the element by id
    /// (`Patient.identifier:INS-NIR` for a slice).
    pub(super) fn cardinality(&mut self, node: &Node, count: usize) {
        let min = usize::try_from(node.min).unwrap_or(usize::MAX);
        let max = node.max.map(|m| usize::try_from(m).unwrap_or(usize::MAX));
        let what = &node.id;
        if count < min {
            let msg = format!("{what}: minimum {min} required by the profile, found {count}");
            self.w.error_at(&node.name, "required", msg);
        }
        if let Some(max) = max.filter(|&m| count > m) {
            let msg = format!("{what}: at most {max} allowed by the profile, found {count}");
            self.w.error_at(&node.name, "structure", msg);
        }
    }

    /// The checks of node `n` on one value, then its children or its type's profile.
    fn item(&mut self, profile: &Profile, n: usize, item: &Item<'_>, resource: &Value) {
        let Some(node) = profile.node(n) else { return };
        let Some(value) = item.value else { return };
        self.value_rules(node, item, value, resource);
        let Some(obj) = value.as_object() else { return };
        if obj.contains_key("resourceType") {
            self.nested_resource(node, value);
        } else if !node.children.is_empty() {
            self.children(profile, n, obj, resource);
        } else if let Some(url) = node.type_profiles().next() {
            self.type_profile(url, obj, value, resource);
        }
    }

    /// A datatype or extension value against the profile of its type.
    fn type_profile(
        &mut self,
        url: &str,
        obj: &Map<String, Value>,
        value: &Value,
        resource: &Value,
    ) {
        let set = self.set;
        let Some(p) = set.profile(url) else {
            let msg = format!("profile {url} is not available: not checked");
            self.w
                .issue(crate::validate::Severity::Information, "not-supported", msg);
            return;
        };
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.children(p, 0, obj, resource);
        if let Some(root) = p.node(0) {
            self.constraints(root, value, resource);
        }
        self.depth -= 1;
    }

    /// A contained or entry resource against the element's type profiles (one must hold).
    fn nested_resource(&mut self, node: &Node, value: &Value) {
        let profiles: Vec<&str> = node.type_profiles().collect();
        if profiles.is_empty() {
            return;
        }
        let conforms = profiles
            .iter()
            .filter_map(|p| self.conforms(p, value))
            .collect::<Vec<_>>();
        if !conforms.is_empty() && !conforms.contains(&true) {
            let msg = format!("the resource conforms to none of {}", profiles.join(", "));
            self.w.error("invalid", msg);
        }
    }

    /// Whether `value` conforms to profile `url` without errors; `None` for an unknown profile.
    /// A core resource definition not in the set is conformed to by its resource type (the
    /// base rules are [`validate_base`](crate::validate::validate_base)'s business).
    pub(super) fn conforms(&self, url: &str, value: &Value) -> Option<bool> {
        let Some(profile) = self.set.profile(url) else {
            let core = super::node::unversioned(url).strip_prefix(crate::model::CORE_SD)?;
            let rt = value.get("resourceType").and_then(Value::as_str);
            return self
                .w
                .model
                .is_resource_type(core)
                .then_some(rt == Some(core));
        };
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let mut sub = ProfileWalker {
            w: Walker::new(self.w.model, self.w.invariants),
            set: self.set,
            depth: self.depth + 1,
        };
        let mark = sub.w.push_field("x");
        sub.resource_root(profile, value);
        sub.w.restore(mark);
        Some(
            !sub.w
                .issues
                .iter()
                .any(|i| i.severity <= crate::validate::Severity::Error),
        )
    }
}
