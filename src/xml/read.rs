//! XML → JSON (<https://hl7.org/fhir/R4/xml.html>): every element is looked up in the model, so
//! arrays appear exactly where the element repeats, primitives get their JSON kind and their
//! `_x` companion, and unknown content is an error with its position.

use quick_xml::events::BytesStart;
use serde_json::{Map, Value};

use super::error::{Loc, XmlError, XmlErrorKind};
use super::events::{Events, Node, Ns, local_name};
use super::text::attr_value;
use super::xhtml;
use crate::model::{ElementRef, JsonKind, Model, PrimitiveDef};

/// Elements nest at most this deep (guards the recursion against hostile input).
const MAX_DEPTH: usize = 128;

/// The occurrences of one element name, gathered until the parent closes.
struct Entry {
    name: String,
    array: bool,
    values: Vec<Option<Value>>,
    exts: Vec<Option<Value>>,
}

/// The properties of a JSON object under construction, in order of first appearance.
#[derive(Default)]
struct Members {
    entries: Vec<Entry>,
}

impl Members {
    fn count(&self, name: &str) -> usize {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map_or(0, |e| e.values.len())
    }

    fn push(&mut self, name: &str, array: bool, (value, ext): (Option<Value>, Option<Value>)) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.name == name) {
            e.values.push(value);
            e.exts.push(ext);
        } else {
            self.entries.push(Entry {
                name: name.to_owned(),
                array,
                values: vec![value],
                exts: vec![ext],
            });
        }
    }

    /// `x` (array or single) then `_x` when any occurrence had an id or extensions.
    fn into_map(self, mut map: Map<String, Value>) -> Map<String, Value> {
        for e in self.entries {
            let ext_name = format!("_{}", e.name);
            if e.array {
                if e.values.iter().any(Option::is_some) {
                    map.insert(
                        e.name.clone(),
                        Value::Array(
                            e.values
                                .into_iter()
                                .map(Option::unwrap_or_default)
                                .collect(),
                        ),
                    );
                }
                if e.exts.iter().any(Option::is_some) {
                    map.insert(
                        ext_name,
                        Value::Array(e.exts.into_iter().map(Option::unwrap_or_default).collect()),
                    );
                }
            } else {
                if let Some(Some(v)) = e.values.into_iter().next() {
                    map.insert(e.name, v);
                }
                if let Some(Some(x)) = e.exts.into_iter().next() {
                    map.insert(ext_name, x);
                }
            }
        }
        map
    }
}

pub(super) struct Reader<'i, 'm> {
    model: &'m Model,
    ev: Events<'i>,
    depth: usize,
}

impl<'i, 'm> Reader<'i, 'm> {
    pub fn new(model: &'m Model, input: &'i str) -> Self {
        Reader {
            model,
            ev: Events::new(input),
            depth: 0,
        }
    }

    /// An error at the current position and FHIR location `loc`.
    fn fail(&self, kind: XmlErrorKind, message: impl Into<String>, loc: &Loc<'_>) -> XmlError {
        self.ev.error(kind, message).at(loc)
    }

    /// Reads the document element, which must be a FHIR resource, and nothing after it.
    pub fn document(mut self) -> Result<Value, XmlError> {
        let (tag, ns, empty) = match self.ev.next()? {
            Node::Start { tag, ns, empty } => (tag, ns, empty),
            _ => return Err(self.ev.error(XmlErrorKind::Structure, "no root element")),
        };
        let rt = self.resource_type(&tag, ns)?;
        let resource = self.resource(&tag, rt, empty, &Loc::root(rt))?;
        match self.ev.next()? {
            Node::Eof => Ok(resource),
            _ => Err(self
                .ev
                .error(XmlErrorKind::Malformed, "content after the root element")),
        }
    }

    fn resource_type<'t>(&self, tag: &'t BytesStart<'_>, ns: Ns) -> Result<&'t str, XmlError> {
        let name = local_name(tag);
        if ns != Ns::Fhir {
            return Err(self.ev.error(
                XmlErrorKind::Structure,
                format!("<{name}> is not in the FHIR namespace http://hl7.org/fhir"),
            ));
        }
        if !self.model.is_resource_type(name) {
            return Err(self.ev.error(
                XmlErrorKind::Structure,
                format!("unknown resource type {name}"),
            ));
        }
        Ok(name)
    }

    /// A resource element: `{"resourceType": rt, ...children}`.
    fn resource(
        &mut self,
        tag: &BytesStart<'_>,
        rt: &str,
        empty: bool,
        loc: &Loc<'_>,
    ) -> Result<Value, XmlError> {
        let mut members = Members::default();
        self.attributes(tag, rt, loc, &mut members)?;
        if !empty {
            self.children(rt, loc, &mut members)?;
        }
        let mut map = Map::new();
        map.insert("resourceType".to_owned(), Value::String(rt.to_owned()));
        Ok(Value::Object(members.into_map(map)))
    }

    /// Children of an element of type `type_path`, up to its end tag.
    fn children(
        &mut self,
        type_path: &str,
        loc: &Loc<'_>,
        members: &mut Members,
    ) -> Result<(), XmlError> {
        loop {
            match self.ev.next()? {
                Node::End => return Ok(()),
                Node::Eof => {
                    return Err(self
                        .ev
                        .error(XmlErrorKind::Malformed, "unexpected end of document"));
                }
                Node::Start { tag, ns, empty } => {
                    self.child(type_path, &tag, ns, empty, loc, members)?
                }
            }
        }
    }

    /// One child element: looked up in the model, read according to its type, added to `members`.
    fn child(
        &mut self,
        type_path: &str,
        tag: &BytesStart<'_>,
        ns: Ns,
        empty: bool,
        loc: &Loc<'_>,
        members: &mut Members,
    ) -> Result<(), XmlError> {
        let name = local_name(tag);
        let el = self
            .model
            .element(type_path, name)
            .filter(|_| ns == Ns::Fhir || name == "div");
        let Some(el) = el.filter(|e| !e.is_xml_attr()) else {
            let why = if el.is_some() {
                "must be an attribute"
            } else {
                "unknown element"
            };
            return Err(self.fail(XmlErrorKind::Structure, format!("{why} <{name}>"), loc));
        };
        let index = members.count(name);
        if index > 0 && !el.is_array() {
            return Err(self.fail(
                XmlErrorKind::Structure,
                format!("<{name}> does not repeat"),
                loc,
            ));
        }
        let here = loc.child(name, el.is_array().then_some(index));
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail(XmlErrorKind::Structure, "elements nest too deeply", &here));
        }
        let slot = self.occurrence(el, tag, ns, empty, &here)?;
        self.depth -= 1;
        members.push(name, el.is_array(), slot);
        Ok(())
    }

    /// The JSON value and `_` companion of one element occurrence.
    fn occurrence(
        &mut self,
        el: ElementRef<'m>,
        tag: &BytesStart<'_>,
        ns: Ns,
        empty: bool,
        loc: &Loc<'_>,
    ) -> Result<(Option<Value>, Option<Value>), XmlError> {
        if el.is_xhtml() {
            let div = xhtml::read_div(&mut self.ev, tag, ns, empty).map_err(|e| e.at(loc))?;
            return Ok((Some(Value::String(div)), None));
        }
        if let Some(p) = el.primitive() {
            return self.primitive(p, tag, empty, loc);
        }
        if el.is_resource() {
            return Ok((Some(self.contained(empty, loc)?), None));
        }
        let type_path = el.child_path().ok_or_else(|| {
            self.fail(
                XmlErrorKind::Structure,
                "element type has no definition",
                loc,
            )
        })?;
        let mut members = Members::default();
        self.attributes(tag, type_path, loc, &mut members)?;
        if !empty {
            self.children(type_path, loc, &mut members)?;
        }
        Ok((Some(Value::Object(members.into_map(Map::new()))), None))
    }

    /// A primitive: `value` attribute → JSON value; `id` and extensions → `_x` object.
    fn primitive(
        &mut self,
        p: &'m PrimitiveDef,
        tag: &BytesStart<'_>,
        empty: bool,
        loc: &Loc<'_>,
    ) -> Result<(Option<Value>, Option<Value>), XmlError> {
        let mut ext = Members::default();
        let value = self.attributes(tag, &p.name, loc, &mut ext)?;
        let value = value.map(|text| {
            primitive_value(&text, p.json).map_err(|e| self.fail(XmlErrorKind::Value, e, loc))
        });
        let value = value.transpose()?;
        if !empty {
            self.children(&p.name, loc, &mut ext)?;
        }
        let ext = (!ext.entries.is_empty()).then(|| Value::Object(ext.into_map(Map::new())));
        if value.is_none() && ext.is_none() {
            return Err(self.fail(
                XmlErrorKind::Structure,
                "a primitive element needs a value or extensions",
                loc,
            ));
        }
        Ok((value, ext))
    }

    /// The single resource inside `<contained>`, `<resource>`, ...
    fn contained(&mut self, empty: bool, loc: &Loc<'_>) -> Result<Value, XmlError> {
        let inner = if empty { Node::End } else { self.ev.next()? };
        let Node::Start { tag, ns, empty } = inner else {
            return Err(self.fail(XmlErrorKind::Structure, "expected a resource element", loc));
        };
        let rt = self.resource_type(&tag, ns).map_err(|e| e.at(loc))?;
        let resource = self.resource(&tag, rt, empty, loc)?;
        match self.ev.next()? {
            Node::End => Ok(resource),
            _ => Err(self.fail(
                XmlErrorKind::Structure,
                "only one resource is allowed here",
                loc,
            )),
        }
    }

    /// The attributes of `tag` (an instance of `type_path`): namespace declarations and
    /// prefixed attributes (`xsi:schemaLocation`, `xml:lang`) are skipped; `value` is returned
    /// (for primitives); the others must be XML-attribute elements (`id`, `url`).
    fn attributes(
        &self,
        tag: &BytesStart<'_>,
        type_path: &str,
        loc: &Loc<'_>,
        members: &mut Members,
    ) -> Result<Option<String>, XmlError> {
        let mut value = None;
        for attr in tag.attributes() {
            let attr = attr.map_err(|e| {
                self.ev
                    .error(XmlErrorKind::Malformed, format!("malformed attribute: {e}"))
            })?;
            let key = std::str::from_utf8(attr.key.as_ref()).unwrap_or("");
            if key == "xmlns" || key.contains(':') {
                continue;
            }
            let raw = std::str::from_utf8(&attr.value).unwrap_or("");
            let text = attr_value(raw).map_err(|e| self.fail(XmlErrorKind::Malformed, e, loc))?;
            match self
                .model
                .element(type_path, key)
                .filter(ElementRef::is_xml_attr)
            {
                Some(el)
                    if el.def().name() == "value" && self.model.primitive(type_path).is_some() =>
                {
                    value = Some(text)
                }
                Some(_) => members.push(key, false, (Some(Value::String(text)), None)),
                None => {
                    return Err(self.fail(
                        XmlErrorKind::Structure,
                        format!("unknown attribute {key}"),
                        loc,
                    ));
                }
            }
        }
        Ok(value)
    }
}

/// The JSON value of a primitive's `value` attribute for its JSON kind; numbers keep their
/// exact text (`1.50`).
fn primitive_value(text: &str, kind: JsonKind) -> Result<Value, String> {
    match kind {
        JsonKind::String => Ok(Value::String(text.to_owned())),
        JsonKind::Boolean => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{text:?} is not a boolean")),
        },
        JsonKind::Number => {
            let plain = !text.is_empty()
                && text
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
            // Parsed as a JSON value so the text is kept exactly, as for JSON input
            // (`Number::from_str` would rewrite `1e2` as `1e+2`).
            let number = serde_json::from_str::<Value>(text)
                .ok()
                .filter(|v| plain && v.is_number());
            number.ok_or_else(|| format!("{text:?} is not a number"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_values_get_their_json_kind() {
        assert_eq!(
            primitive_value("1.50", JsonKind::Number)
                .unwrap()
                .to_string(),
            "1.50"
        );
        // Exactly as JSON input of the same text (serde_json writes the exponent as `e+2`).
        let from_json: Value = serde_json::from_str("-3e2").unwrap();
        assert_eq!(
            primitive_value("-3e2", JsonKind::Number).unwrap(),
            from_json
        );
        assert_eq!(
            primitive_value("true", JsonKind::Boolean).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            primitive_value("1.50", JsonKind::String).unwrap(),
            Value::from("1.50")
        );
        for bad in ["", " 1", "01", "1.", "NaN", "0x1"] {
            assert!(primitive_value(bad, JsonKind::Number).is_err(), "{bad:?}");
        }
        assert!(primitive_value("True", JsonKind::Boolean).is_err());
    }
}
