//! Every extension of the instance whose definition is in the [`ProfileSet`] is checked
//! against it, wherever it is and whether or not the profile slices it
//! (<https://hl7.org/fhir/R4/extensibility.html#Extension>). Unknown URLs are left alone.

use serde_json::{Map, Value};

use super::walk::ProfileWalker;

impl ProfileWalker<'_> {
    /// Walks `value` (at the current location) checking the extensions found.
    pub(super) fn all_extensions(&mut self, value: &Value, resource: &Value) {
        match value {
            Value::Object(obj) => {
                let resource = if obj.contains_key("resourceType") {
                    value
                } else {
                    resource
                };
                self.object_extensions(obj, resource);
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mark = self.w.push_index(i);
                    self.all_extensions(item, resource);
                    self.w.restore(mark);
                }
            }
            _ => {}
        }
    }

    fn object_extensions(&mut self, obj: &Map<String, Value>, resource: &Value) {
        for (key, value) in obj {
            let name = key.strip_prefix('_').unwrap_or(key);
            let mark = self.w.push_field(name);
            if name == "extension" || name == "modifierExtension" {
                self.extension_list(value, resource);
            }
            self.all_extensions(value, resource);
            self.w.restore(mark);
        }
    }

    fn extension_list(&mut self, value: &Value, resource: &Value) {
        let Some(items) = value.as_array() else {
            return;
        };
        let set = self.set;
        for (i, ext) in items.iter().enumerate() {
            let url = ext.get("url").and_then(Value::as_str);
            let profile = url
                .and_then(|u| set.profile(u))
                .filter(|p| p.type_name == "Extension");
            let (Some(profile), Some(obj)) = (profile, ext.as_object()) else {
                continue;
            };
            let mark = self.w.push_index(i);
            self.children(profile, 0, obj, resource);
            if let Some(root) = profile.node(0) {
                self.constraints(root, ext, resource);
            }
            self.w.restore(mark);
        }
    }
}
