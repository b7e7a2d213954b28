//! One value of an element: a primitive, a nested resource, or a complex object, followed by
//! the checks that depend on its datatype (Extension, Reference), its binding and invariants.

use serde_json::Value;

use super::index::{Kind, Slot, index};
use super::walker::{Nesting, Walker, json_kind};

impl Walker<'_> {
    /// Validates one (non-array) value of the element of `slot` at the current location;
    /// `resource` is the nearest enclosing resource.
    pub(super) fn value(&mut self, slot: &Slot, value: &Value, resource: &Value) {
        let el = slot.el;
        match slot.kind {
            Kind::Primitive(p, format) => {
                self.primitive(p, index().format(format), value);
                self.binding(el, value);
                if self.invariants.is_some()
                    && let Some(td) = self.model.type_def(&p.name)
                {
                    self.element_invariants(el, td, value, resource);
                }
            }
            Kind::Resource => {
                let nesting = if el.def().name() == "contained" {
                    Nesting::Contained
                } else {
                    Nesting::Top
                };
                self.resource(value, nesting);
            }
            Kind::Complex(i) => self.complex(slot, i, value, resource),
            // FHIRPath system types only occur as a primitive's `value`, never in JSON.
            Kind::Opaque => {}
        }
    }

    /// A value of a complex type or backbone (the type at index `i`).
    fn complex(&mut self, slot: &Slot, i: usize, value: &Value, resource: &Value) {
        let el = slot.el;
        let Some(ti) = index().type_at(i) else { return };
        let Some(obj) = value.as_object() else {
            let msg = format!(
                "a {} must be a JSON object, not {}",
                ti.td.name,
                json_kind(value)
            );
            self.error("structure", msg);
            return;
        };
        self.object(ti, obj, resource);
        match el.type_code() {
            "Extension" => self.extension_shape(obj),
            "Reference" => self.reference_format(obj),
            _ => {}
        }
        self.binding(el, value);
        self.element_invariants(el, ti.td, value, resource);
    }
}
