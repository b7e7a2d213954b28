//! Per-type lookups precomputed once for the hot path: for every type and backbone, each
//! element's resolved [`ElementRef`] per JSON name with what its values are (primitive and its
//! format check, resource, or complex with the index of its child type), so that a property
//! costs one hash lookup. The common string formats are checked natively, equivalently to
//! their R4 regexes; the others use the anchored regex compiled once.

use foldhash::{HashMap, HashMapExt};
use std::sync::OnceLock;

use regex::Regex;

use crate::model::{ElementRef, Model, PrimitiveDef, TypeDef, TypeKind, r4};

/// How a primitive's text is checked.
#[derive(Debug)]
pub(super) enum Format {
    /// `[ \r\n\t\S]+` (string, markdown).
    Text,
    /// `\S*` (uri, url, canonical).
    NoSpace,
    /// `[^\s]+(\s[^\s]+)*` (code).
    Code,
    /// `[A-Za-z0-9\-\.]{1,64}` (id).
    Id,
    /// The type's anchored regex.
    Regex(Regex),
    /// No constraint (xhtml).
    Any,
}

impl Format {
    fn of(p: &PrimitiveDef) -> Format {
        match p.name.as_str() {
            "string" | "markdown" => Format::Text,
            "uri" | "url" | "canonical" => Format::NoSpace,
            "code" => Format::Code,
            "id" => Format::Id,
            _ => p
                .regex
                .as_deref()
                .and_then(|r| Regex::new(&format!("^(?:{r})$")).ok())
                .map_or(Format::Any, Format::Regex),
        }
    }

    /// `true` when `s` is a valid lexical form.
    pub fn check(&self, s: &str) -> bool {
        match self {
            Format::Text => {
                !s.is_empty()
                    && s.chars()
                        .all(|c| !c.is_whitespace() || matches!(c, ' ' | '\r' | '\n' | '\t'))
            }
            Format::NoSpace => !s.contains(char::is_whitespace),
            Format::Code => {
                let mut prev_space = true; // no leading whitespace
                for c in s.chars() {
                    let space = c.is_whitespace();
                    if space && prev_space {
                        return false;
                    }
                    prev_space = space;
                }
                !prev_space // non-empty, no trailing whitespace
            }
            Format::Id => {
                (1..=64).contains(&s.len())
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            }
            Format::Regex(re) => re.is_match(s),
            Format::Any => true,
        }
    }
}

/// What the values of an element are.
#[derive(Debug)]
pub(super) enum Kind {
    /// A primitive, with the index of its format in [`Index::format`].
    Primitive(&'static PrimitiveDef, usize),
    /// A whole resource (`contained`, `Bundle.entry.resource`).
    Resource,
    /// A complex type or backbone: the index of its [`TypeInfo`].
    Complex(usize),
    /// A FHIRPath system type (a primitive's `value`): never in JSON.
    Opaque,
}

/// One element as reached by one JSON name.
#[derive(Debug)]
pub(super) struct Slot {
    pub el: ElementRef<'static>,
    pub kind: Kind,
}

/// A type or backbone with its slots by element index and chosen type index.
#[derive(Debug)]
pub(super) struct TypeInfo {
    pub td: &'static TypeDef,
    slots: Vec<Vec<Slot>>,
}

impl TypeInfo {
    /// The slot of a JSON property name (`birthDate`, `valueQuantity`).
    pub fn slot(&self, json_name: &str) -> Option<&Slot> {
        let (i, t) = self.td.lookup(json_name)?;
        self.slots.get(i)?.get(t)
    }
}

/// All types, their slots and the primitive formats.
#[derive(Debug)]
pub(super) struct Index {
    types: Vec<TypeInfo>,
    by_name: HashMap<&'static str, usize>,
    formats: Vec<Format>,
    format_by_name: HashMap<&'static str, usize>,
}

/// The index of the R4 model, built on first use.
pub(super) fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::build(r4()))
}

impl Index {
    /// The type or backbone named `name`.
    pub fn type_info(&self, name: &str) -> Option<&TypeInfo> {
        self.types.get(*self.by_name.get(name)?)
    }

    /// The type at `index` (from [`Kind::Complex`]).
    pub fn type_at(&self, index: usize) -> Option<&TypeInfo> {
        self.types.get(index)
    }

    /// The format at `index` (from [`Kind::Primitive`]).
    pub fn format(&self, index: usize) -> &Format {
        self.formats.get(index).unwrap_or(&Format::Any)
    }

    /// The format of primitive `name`; [`Format::Any`] for an unknown name.
    pub fn format_of(&self, name: &str) -> &Format {
        self.format_by_name
            .get(name)
            .map_or(&Format::Any, |&i| self.format(i))
    }

    fn build(model: &'static Model) -> Index {
        let tds: Vec<&'static TypeDef> = model.type_defs().collect();
        let by_name: HashMap<&'static str, usize> = tds
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), i))
            .collect();
        let mut formats = Vec::new();
        let mut format_by_name = HashMap::new();
        for t in tds.iter().filter(|t| t.kind == TypeKind::Primitive) {
            if let Some(p) = model.primitive(&t.name) {
                format_by_name.insert(p.name.as_str(), formats.len());
                formats.push(Format::of(p));
            }
        }
        let mut index = Index {
            types: Vec::with_capacity(tds.len()),
            by_name,
            formats,
            format_by_name,
        };
        for td in tds {
            let slots = td
                .elements
                .iter()
                .map(|el| index.slots_of(model, td, el))
                .collect();
            index.types.push(TypeInfo { td, slots });
        }
        index
    }

    /// The slots of one element: one per type for a choice, else one.
    fn slots_of(
        &self,
        model: &'static Model,
        td: &TypeDef,
        el: &crate::model::ElementDef,
    ) -> Vec<Slot> {
        let names: Vec<String> = if el.is_choice() {
            el.types.iter().map(|t| el.json_name_for(&t.code)).collect()
        } else {
            vec![el.name().to_owned()]
        };
        names
            .iter()
            .filter_map(|n| model.element(&td.name, n))
            .map(|er| Slot {
                el: er,
                kind: self.kind_of(er),
            })
            .collect()
    }

    fn kind_of(&self, er: ElementRef<'static>) -> Kind {
        if let Some(p) = er.primitive() {
            let f = self.format_by_name.get(p.name.as_str()).copied();
            return Kind::Primitive(p, f.unwrap_or(usize::MAX));
        }
        if er.is_resource() {
            return Kind::Resource;
        }
        er.child_path()
            .and_then(|p| self.by_name.get(p))
            .map_or(Kind::Opaque, |&i| Kind::Complex(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_formats_agree_with_the_r4_regexes() {
        let samples = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "a b",
            "a  b",
            "a\tb",
            "a\u{a0}b",
            "é",
            "x\n",
            "a-b.c",
            "a_b",
            "urn:oid:1.2",
            "\u{2003}",
            "ab\r\ncd",
        ];
        let long = "a".repeat(65);
        for name in [
            "string",
            "markdown",
            "uri",
            "url",
            "canonical",
            "code",
            "id",
        ] {
            let p = r4().primitive(name).unwrap();
            let re = Regex::new(&format!("^(?:{})$", p.regex.as_deref().unwrap())).unwrap();
            let f = Format::of(p);
            for s in samples.iter().copied().chain([long.as_str()]) {
                assert_eq!(f.check(s), re.is_match(s), "{name} {s:?}");
            }
        }
    }

    #[test]
    fn slots_resolve_choices_and_children() {
        let obs = index().type_info("Observation").unwrap();
        let slot = obs.slot("valueQuantity").unwrap();
        assert_eq!(slot.el.type_code(), "Quantity");
        let Kind::Complex(q) = slot.kind else {
            panic!("{slot:?}")
        };
        assert_eq!(index().type_at(q).unwrap().td.name, "Quantity");
        assert!(
            matches!(obs.slot("status").unwrap().kind, Kind::Primitive(p, _) if p.name == "code")
        );
        assert!(matches!(
            obs.slot("contained").unwrap().kind,
            Kind::Resource
        ));
        let item = index()
            .type_info("Questionnaire.item")
            .unwrap()
            .slot("item")
            .unwrap();
        assert!(
            matches!(item.kind, Kind::Complex(i) if index().type_at(i).unwrap().td.name == "Questionnaire.item")
        );
    }
}
