//! Per-value rules of a profile element: allowed choice types, fixed[x] and pattern[x],
//! bindings (required and extensible), reference target types, and invariants.

use serde_json::Value;

use super::matching::{pattern_matches, suffix_is_type};
use super::node::Node;
use super::terminology::Expansion;
use super::walk::{Item, ProfileWalker};
use crate::model::r4;
use crate::validate::Severity;

impl ProfileWalker<'_> {
    /// The rules of `node` on one instance value.
    pub(super) fn value_rules(
        &mut self,
        node: &Node,
        item: &Item<'_>,
        value: &Value,
        resource: &Value,
    ) {
        let Some(type_code) = self.allowed_type(node, item) else {
            return;
        };
        self.fixed_and_pattern(node, value);
        if let Some(code) = type_code {
            self.binding(node, code, value);
        }
        if value.get("reference").is_some() {
            self.target(node, value, resource);
        }
        self.constraints(node, value, resource);
    }

    /// The value's type code (`Some(None)` when the node names none); `None`, after an error,
    /// when a choice value's type is not one the profile allows.
    fn allowed_type<'n>(&mut self, node: &'n Node, item: &Item<'_>) -> Option<Option<&'n str>> {
        if !node.is_choice {
            return Some(node.types.first().map(|t| t.code.as_str()));
        }
        let found = node
            .types
            .iter()
            .find(|t| suffix_is_type(item.suffix, &t.code));
        if found.is_none() && !node.types.is_empty() {
            let msg = format!(
                "type {} is not allowed by the profile for {}",
                item.suffix, node.path
            );
            self.w.error("structure", msg);
            return None;
        }
        Some(found.map(|t| t.code.as_str()))
    }

    /// fixed[x] (exactly), pattern[x] (a subset) and maxLength.
    fn fixed_and_pattern(&mut self, node: &Node, value: &Value) {
        let fixed_ok = |f: &Value| pattern_matches(f, value) && same_shape(f, value);
        if node.fixed.as_ref().is_some_and(|f| !fixed_ok(f)) {
            let msg = format!("{}: the value differs from the fixed value", node.path);
            self.w.error("value", msg);
        }
        let length = value.as_str().map(|s| s.chars().count());
        if let Some((max, len)) = node.max_length.zip(length).filter(|(m, l)| l > m) {
            let msg = format!(
                "{}: {len} characters, more than the maximum {max}",
                node.path
            );
            self.w.error("value", msg);
        }
        if node
            .pattern
            .as_ref()
            .is_some_and(|p| !pattern_matches(p, value))
        {
            let msg = format!("{}: the value does not match the pattern", node.path);
            self.w.error("value", msg);
        }
    }

    fn binding(&mut self, node: &Node, type_code: &str, value: &Value) {
        let Some(b) = &node.binding else { return };
        let Some(vs) = self.set.expansion(&b.value_set) else {
            return;
        };
        let url = &b.value_set;
        match type_code {
            "code" | "string" | "uri" => {
                if let Some(code) = value.as_str().filter(|c| !vs.contains_code(c)) {
                    let msg = format!("{code:?} is not in the value set {url}");
                    let severity = if b.required {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    self.w.issue(severity, "code-invalid", msg);
                }
            }
            "Coding" => {
                let ok = self.coding(&vs, value, url);
                if b.required && !ok && value.get("code").is_some() {
                    let msg = format!("the coding is not in the required value set {url}");
                    self.w.error("code-invalid", msg);
                }
            }
            "CodeableConcept" => self.codeable_concept(&vs, value, url, b.required),
            _ => {}
        }
    }

    /// Each coding of the value set's systems must be in it; with a required binding, some
    /// coding must be.
    fn codeable_concept(&mut self, vs: &Expansion, value: &Value, url: &str, required: bool) {
        let codings = value.get("coding").and_then(Value::as_array);
        let mut any = false;
        for (i, c) in codings.into_iter().flatten().enumerate() {
            let a = self.w.push_field("coding");
            let m = self.w.push_index(i);
            any |= self.coding(vs, c, url);
            self.w.restore(m);
            self.w.restore(a);
        }
        if required && !any {
            let msg = format!("no coding from the required value set {url}");
            self.w.error("code-invalid", msg);
        }
    }

    /// `true` when the coding is in the value set; an error when its system is one of the
    /// value set's but its code is not.
    fn coding(&mut self, vs: &Expansion, coding: &Value, url: &str) -> bool {
        let system = coding.get("system").and_then(Value::as_str);
        let code = coding.get("code").and_then(Value::as_str);
        let (Some(system), Some(code)) = (system, code) else {
            return false;
        };
        if vs.contains(system, code) {
            return true;
        }
        if vs.has_system(system) {
            let msg = format!("{system}|{code} is not in the value set {url}");
            self.w.error_at("code", "code-invalid", msg);
        }
        false
    }

    /// The type named by a literal reference must be one of the target profiles' types.
    fn target(&mut self, node: &Node, value: &Value, resource: &Value) {
        let Some(reference) = value.get("reference").and_then(Value::as_str) else {
            return;
        };
        let targets: Vec<&str> = node
            .types
            .iter()
            .flat_map(|t| t.target_profiles.iter())
            .map(String::as_str)
            .collect();
        if targets.is_empty() {
            return;
        }
        let allowed: Vec<Option<&str>> = targets.iter().map(|t| self.set.type_of(t)).collect();
        if allowed.iter().any(|t| t.is_none_or(|t| t == "Resource")) {
            return;
        }
        let Some(ty) = referenced_type(reference, resource) else {
            return;
        };
        if !allowed.contains(&Some(ty)) {
            let msg = format!(
                "a reference to {ty} is not allowed here (targets: {})",
                targets.join(", ")
            );
            self.w.error_at("reference", "invalid", msg);
        }
    }

    /// The invariants of `node` not already checked by base validation (core keys).
    pub(super) fn constraints(&mut self, node: &Node, focus: &Value, resource: &Value) {
        let Some(evaluator) = self.w.invariants else {
            return;
        };
        for c in &node.constraints {
            if r4().constraint(&c.key).is_some() {
                continue;
            }
            if evaluator.holds(&c.expression, focus, resource) == Some(false) {
                let severity = if c.error {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                self.w
                    .issue(severity, "invariant", format!("{}: {}", c.key, c.human));
            }
        }
    }
}

/// `true` unless `fixed` is an object or array and `value` has more (fixed means exactly).
fn same_shape(fixed: &Value, value: &Value) -> bool {
    match (fixed, value) {
        (Value::Object(f), Value::Object(v)) => {
            f.len() == v.len()
                && f.iter()
                    .all(|(k, fv)| v.get(k).is_some_and(|vv| same_shape(fv, vv)))
        }
        (Value::Array(f), Value::Array(v)) => f.len() == v.len(),
        _ => true,
    }
}

/// The resource type a literal reference names: `Type/id`, a URL ending so, or `#id` of a
/// contained resource; `None` for `urn:` references and unknown forms.
fn referenced_type<'v>(reference: &'v str, resource: &'v Value) -> Option<&'v str> {
    if let Some(id) = reference.strip_prefix('#') {
        let contained = resource.get("contained").and_then(Value::as_array)?;
        let hit = contained
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id))?;
        return hit.get("resourceType").and_then(Value::as_str);
    }
    if reference.starts_with("urn:") {
        return None;
    }
    let path = reference.split(['?', '#']).next().unwrap_or(reference);
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    let ty = if n >= 4 && parts[n - 2] == "_history" {
        parts[n - 4]
    } else {
        *parts.get(n.checked_sub(2)?)?
    };
    r4().is_resource_type(ty).then_some(ty)
}
