//! JSON → XML (<https://hl7.org/fhir/R4/xml.html>): elements in definition order, primitives as
//! `value` attributes with their `_x` companions merged back in, `id`/`url` as attributes,
//! resources wrapped in their element, the narrative written verbatim.

use serde_json::{Map, Value};

use super::error::{Loc, XmlError, XmlErrorKind};
use super::events::FHIR_NS;
use super::text::Out;
use super::xhtml;
use crate::model::{ElementRef, JsonKind, Model, PrimitiveDef};

/// The properties of one JSON object, sorted for output.
struct Members<'a> {
    /// XML attributes (`id`, `url`): name and text, in definition order.
    attrs: Vec<(&'a str, &'a str)>,
    /// Child elements in definition order.
    children: Vec<Child<'a>>,
}

/// One element name with the JSON value and `_` companion it was given.
struct Child<'a> {
    name: &'a str,
    el: ElementRef<'a>,
    value: Option<&'a Value>,
    ext: Option<&'a Value>,
}

pub(super) struct Writer<'m> {
    model: &'m Model,
    out: Out,
}

impl<'m> Writer<'m> {
    pub fn new(model: &'m Model, pretty: bool) -> Self {
        Writer {
            model,
            out: Out::new(pretty),
        }
    }

    /// Writes `resource` as the document element and returns the document.
    pub fn document(mut self, resource: &'m Value) -> Result<String, XmlError> {
        let rt = resource_type(self.model, resource, None)?;
        self.resource(resource, rt, &Loc::root(rt), true)?;
        Ok(self.out.finish())
    }

    fn resource(
        &mut self,
        v: &'m Value,
        rt: &'m str,
        loc: &Loc<'_>,
        root: bool,
    ) -> Result<(), XmlError> {
        let obj = v
            .as_object()
            .ok_or_else(|| structure("a resource must be a JSON object", loc))?;
        let m = self.members(rt, obj, loc, true)?;
        let ns: &[(&str, &str)] = if root { &[("xmlns", FHIR_NS)] } else { &[] };
        self.element(rt, ns, &m, &[], loc)
    }

    /// Writes the start tag with attributes `lead`, `m`'s, then `trail`; the children; the end
    /// tag.
    fn element(
        &mut self,
        tag: &str,
        lead: &[(&str, &str)],
        m: &Members<'m>,
        trail: &[(&str, &str)],
        loc: &Loc<'_>,
    ) -> Result<(), XmlError> {
        let all: Vec<(&str, &str)> = lead.iter().chain(&m.attrs).chain(trail).copied().collect();
        self.out
            .start(tag, &all, m.children.is_empty())
            .map_err(|e| e.at(loc))?;
        for c in &m.children {
            self.child(c, loc)?;
        }
        if !m.children.is_empty() {
            self.out.end(tag);
        }
        Ok(())
    }

    /// Sorts the properties of `obj` (an instance of `type_path`) into attributes and children
    /// in definition order, pairing each `x` with its `_x`.
    fn members(
        &self,
        type_path: &str,
        obj: &'m Map<String, Value>,
        loc: &Loc<'_>,
        is_resource: bool,
    ) -> Result<Members<'m>, XmlError> {
        let mut attrs = Vec::new();
        let mut children: Vec<Child<'m>> = Vec::new();
        for (key, value) in obj {
            if is_resource && key == "resourceType" {
                continue;
            }
            let (name, is_ext) = key
                .strip_prefix('_')
                .map_or((key.as_str(), false), |n| (n, true));
            let el = self.model.element(type_path, name).ok_or_else(|| {
                structure(format!("unknown property {key:?}"), &loc.child(key, None))
            })?;
            if el.is_xml_attr() {
                let text = value.as_str().filter(|_| !is_ext);
                let text =
                    text.ok_or_else(|| structure("must be a JSON string", &loc.child(key, None)))?;
                attrs.push((el.index(), el.def().name(), text));
                continue;
            }
            let child = child_slot(&mut children, name, el);
            *(if is_ext {
                &mut child.ext
            } else {
                &mut child.value
            }) = Some(value);
        }
        attrs.sort_by_key(|(i, _, _)| *i);
        children.sort_by_key(|c| c.el.index());
        Ok(Members {
            attrs: attrs.into_iter().map(|(_, n, t)| (n, t)).collect(),
            children,
        })
    }

    /// Writes every occurrence of one element.
    fn child(&mut self, c: &Child<'m>, loc: &Loc<'_>) -> Result<(), XmlError> {
        if !c.el.is_array() {
            let here = loc.child(c.name, None);
            if c.value.is_some_and(Value::is_array) || c.ext.is_some_and(Value::is_array) {
                return Err(structure(
                    "must not be an array (the element does not repeat)",
                    &here,
                ));
            }
            return self.occurrence(c, c.value, c.ext, &here);
        }
        let as_array = |v: Option<&'m Value>, key: &str| match v {
            None => Ok(&[] as &'m [Value]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(_) => Err(structure(
                "must be an array (the element repeats)",
                &loc.child(key, None),
            )),
        };
        let values = as_array(c.value, c.name)?;
        let exts = as_array(c.ext, c.name)?;
        for i in 0..values.len().max(exts.len()) {
            let non_null = |v: Option<&'m Value>| v.filter(|v| !v.is_null());
            let here = loc.child(c.name, Some(i));
            self.occurrence(c, non_null(values.get(i)), non_null(exts.get(i)), &here)?;
        }
        Ok(())
    }

    /// Writes one occurrence of an element, according to its type.
    fn occurrence(
        &mut self,
        c: &Child<'m>,
        value: Option<&'m Value>,
        ext: Option<&'m Value>,
        loc: &Loc<'_>,
    ) -> Result<(), XmlError> {
        if let Some(p) = c.el.primitive().filter(|_| !c.el.is_xhtml()) {
            return self.primitive(c.name, p, value, ext, loc);
        }
        if ext.is_some() {
            return Err(structure(
                format!("_{} is only allowed for primitive elements", c.name),
                loc,
            ));
        }
        let value = value.ok_or_else(|| structure("null is not allowed here", loc))?;
        if c.el.is_xhtml() {
            let markup = value
                .as_str()
                .ok_or_else(|| structure("the narrative div must be a JSON string", loc))?;
            let markup = xhtml::check_div(markup).map_err(|e| e.at(loc))?;
            self.out.raw(&markup);
            return Ok(());
        }
        if c.el.is_resource() {
            let rt = resource_type(self.model, value, Some(loc))?;
            self.out.start(c.name, &[], false)?;
            self.resource(value, rt, loc, false)?;
            self.out.end(c.name);
            return Ok(());
        }
        let type_path =
            c.el.child_path()
                .ok_or_else(|| structure("element type has no definition", loc))?;
        let obj = value
            .as_object()
            .ok_or_else(|| structure("must be a JSON object", loc))?;
        let m = self.members(type_path, obj, loc, false)?;
        self.element(c.name, &[], &m, &[], loc)
    }

    /// `<name id=".." value="..">` with the extensions of `_name` as children.
    fn primitive(
        &mut self,
        tag: &str,
        p: &PrimitiveDef,
        value: Option<&'m Value>,
        ext: Option<&'m Value>,
        loc: &Loc<'_>,
    ) -> Result<(), XmlError> {
        let text = value
            .map(|v| primitive_text(v, p.json))
            .transpose()
            .map_err(|e| e.at(loc))?;
        let m = match ext {
            None => Members {
                attrs: Vec::new(),
                children: Vec::new(),
            },
            Some(Value::Object(obj)) => {
                if let Some(k) = obj.keys().find(|k| *k != "id" && *k != "extension") {
                    return Err(structure(format!("unknown property {k:?} in _{tag}"), loc));
                }
                self.members(&p.name, obj, loc, false)?
            }
            Some(_) => return Err(structure(format!("_{tag} must be a JSON object"), loc)),
        };
        if text.is_none() && ext.is_none() {
            return Err(structure(format!("{tag} and _{tag} are both null"), loc));
        }
        let value_attr: Vec<(&str, &str)> =
            text.as_deref().map(|t| ("value", t)).into_iter().collect();
        self.element(tag, &[], &m, &value_attr, loc)
    }
}

/// The entry of `children` for element `name`, added if new.
fn child_slot<'c, 'm>(
    children: &'c mut Vec<Child<'m>>,
    name: &'m str,
    el: ElementRef<'m>,
) -> &'c mut Child<'m> {
    let pos = children
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| {
            children.push(Child {
                name,
                el,
                value: None,
                ext: None,
            });
            children.len() - 1
        });
    &mut children[pos]
}

/// The text of a primitive's `value` attribute, checking the JSON kind.
fn primitive_text(v: &Value, kind: JsonKind) -> Result<String, XmlError> {
    match (kind, v) {
        (JsonKind::String, Value::String(s)) => Ok(s.clone()),
        (JsonKind::Number, Value::Number(n)) => Ok(n.to_string()),
        (JsonKind::Boolean, Value::Bool(b)) => Ok(b.to_string()),
        (kind, _) => {
            let expected = match kind {
                JsonKind::String => "a JSON string",
                JsonKind::Number => "a JSON number",
                JsonKind::Boolean => "a JSON boolean",
            };
            Err(XmlError::new(
                XmlErrorKind::Value,
                format!("expected {expected}, found {v}"),
            ))
        }
    }
}

/// The `resourceType` of a JSON resource, which must be a known concrete type.
fn resource_type<'v>(
    model: &Model,
    v: &'v Value,
    loc: Option<&Loc<'_>>,
) -> Result<&'v str, XmlError> {
    let located = |e: XmlError| match loc {
        Some(l) => e.at(l),
        None => e,
    };
    let rt = v.get("resourceType").and_then(Value::as_str);
    let rt = rt.ok_or_else(|| {
        located(XmlError::new(
            XmlErrorKind::Structure,
            "missing resourceType",
        ))
    })?;
    if !model.is_resource_type(rt) {
        return Err(located(XmlError::new(
            XmlErrorKind::Structure,
            format!("unknown resourceType {rt:?}"),
        )));
    }
    Ok(rt)
}

fn structure(message: impl Into<String>, loc: &Loc<'_>) -> XmlError {
    XmlError::new(XmlErrorKind::Structure, message).at(loc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_text_requires_the_json_kind_of_the_type() {
        let n: Value = serde_json::from_str("1.50").unwrap();
        assert_eq!(primitive_text(&n, JsonKind::Number).unwrap(), "1.50");
        assert_eq!(
            primitive_text(&Value::Bool(false), JsonKind::Boolean).unwrap(),
            "false"
        );
        assert_eq!(
            primitive_text(&Value::from("x"), JsonKind::String).unwrap(),
            "x"
        );
        assert!(primitive_text(&Value::from("1"), JsonKind::Number).is_err());
        assert!(primitive_text(&n, JsonKind::String).is_err());
    }
}
