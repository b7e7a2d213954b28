//! The R4 core StructureDefinitions, synthesized from the generated tables of
//! [`crate::model`], so that profiles written as differentials over core types (the DMP
//! profiles) compile without the official `profiles-types.json` / `profiles-resources.json`.
//!
//! A synthesized definition carries what [`ProfileSet`] uses, as the official one has it: url,
//! name, type, kind, abstract, derivation, baseDefinition and a snapshot whose elements (the
//! root, then every element depth-first, backbone children in order) have id, path, min, max,
//! type (code, profile, targetProfile), contentReference, binding, constraint, representation,
//! isModifier and isSummary. Left out: texts (short, definition, comments), mappings, `base`,
//! `condition`, examples, the `maxLength` of `string.value` and the `minValue`/`maxValue` of
//! one element, none of which profile validation reads from a core snapshot. FHIRPath-typed
//! elements (`Element.id`, `Extension.url`) get the FHIR type the tables give (`string`, `uri`).
//!
//! The `extension` slicing (`discriminator` value `url`, rules open) is placed where R4's own
//! snapshots have it: on every `extension` of the datatypes (backbones included) and on
//! `DomainResource.extension` / `DomainResource.modifierExtension` only.

use serde_json::{Map, Value, json};

use super::ProfileSet;
use crate::model::{
    BindingStrength, CORE_SD, ElementDef, ElementType, Model, Representation, Severity, TypeDef,
    TypeKind,
};

/// FHIRPath system types (`System.String`) are written as this URL plus the name in R4.
const FHIRPATH: &str = "http://hl7.org/fhirpath/";

/// The StructureDefinition of core type `type_name` (`Patient`, `HumanName`, `string`,
/// `SimpleQuantity`, `Resource`), built from `model`; `None` for a backbone path or an unknown
/// name.
pub fn core_structure_definition(model: &Model, type_name: &str) -> Option<Value> {
    let def = model.type_def(type_name)?;
    let kind = kind_code(def.kind)?;
    // A profile (SimpleQuantity) constrains its base type and uses its paths.
    let sd_type = if def.is_profile {
        def.base.as_deref()?
    } else {
        &def.name
    };
    let mut sd = json!({
        "resourceType": "StructureDefinition",
        "id": def.name,
        "url": format!("{CORE_SD}{}", def.name),
        "version": "4.0.1",
        "name": def.name,
        "status": "active",
        "fhirVersion": "4.0.1",
        "kind": kind,
        "abstract": def.is_abstract,
        "type": sd_type,
    });
    if let (Some(obj), Some(base)) = (sd.as_object_mut(), &def.base) {
        let derivation = if def.is_profile {
            "constraint"
        } else {
            "specialization"
        };
        obj.insert("baseDefinition".into(), json!(format!("{CORE_SD}{base}")));
        obj.insert("derivation".into(), json!(derivation));
    }
    let elements = Snapshot::new(model, def, sd_type).elements();
    if let Some(obj) = sd.as_object_mut() {
        obj.insert("snapshot".into(), json!({ "element": elements }));
    }
    Some(sd)
}

/// Adds the synthesized definition of every core type (datatypes, SimpleQuantity and
/// MoneyQuantity, resources, the logical MetadataResource) that `set` does not hold yet; the
/// official definitions, when added before, are kept. Returns how many were added: 212, in
/// about 60–100 ms in release on a loaded 2-core machine (see the equivalence test); use
/// [`add_core_definitions_for`] to add only what given profiles need.
pub fn add_core_definitions(set: &mut ProfileSet, model: &Model) -> usize {
    let mut names: Vec<&str> = model
        .type_defs()
        .filter(|t| t.kind != TypeKind::Backbone)
        .map(|t| t.name.as_str())
        .collect();
    names.sort_unstable();
    let mut added = 0;
    for name in names {
        if set.has_structure(&format!("{CORE_SD}{name}")) {
            continue;
        }
        if let Some(sd) = core_structure_definition(model, name)
            && set.add(sd)
        {
            added += 1;
        }
    }
    added
}

/// Adds the synthesized core definitions that the StructureDefinitions `definitions` need and
/// `set` does not hold yet: the core types named as `baseDefinition` or as a `type.profile`
/// of their elements, then, transitively, the bases and type profiles of those
/// (`DomainResource`, `SimpleQuantity`).
/// Returns how many were added. Much cheaper than [`add_core_definitions`] when a few types
/// are profiled; a core URL claimed in `meta.profile` is then unknown unless added.
pub fn add_core_definitions_for(
    set: &mut ProfileSet,
    model: &Model,
    definitions: &[Value],
) -> usize {
    let mut pending: Vec<String> = definitions.iter().flat_map(core_references).collect();
    let mut added = 0;
    while let Some(name) = pending.pop() {
        if set.has_structure(&format!("{CORE_SD}{name}")) {
            continue;
        }
        let Some(sd) = core_structure_definition(model, &name) else {
            continue;
        };
        pending.extend(core_references(&sd));
        if set.add(sd) {
            added += 1;
        }
    }
    added
}

/// The core type names a StructureDefinition derives from or uses as type profiles.
fn core_references(sd: &Value) -> Vec<String> {
    let base = sd.get("baseDefinition").and_then(Value::as_str);
    let elements = ["/snapshot/element", "/differential/element"]
        .into_iter()
        .filter_map(|p| sd.pointer(p).and_then(Value::as_array))
        .flatten();
    let profiles = elements
        .filter_map(|e| e.get("type").and_then(Value::as_array))
        .flatten()
        .filter_map(|t| t.get("profile").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str);
    base.into_iter()
        .chain(profiles)
        .filter_map(|url| url.split('|').next()?.strip_prefix(CORE_SD))
        .map(str::to_owned)
        .collect()
}

/// `StructureDefinition.kind`; `None` for a backbone (not a definition of its own).
fn kind_code(kind: TypeKind) -> Option<&'static str> {
    Some(match kind {
        TypeKind::Primitive => "primitive-type",
        TypeKind::Complex => "complex-type",
        TypeKind::Resource => "resource",
        TypeKind::Logical => "logical",
        TypeKind::Backbone => return None,
    })
}

/// Builds the snapshot of one type.
struct Snapshot<'m> {
    model: &'m Model,
    def: &'m TypeDef,
    /// The path prefix written (`Quantity` for SimpleQuantity, else the type name).
    sd_type: &'m str,
    out: Vec<Value>,
}

impl<'m> Snapshot<'m> {
    fn new(model: &'m Model, def: &'m TypeDef, sd_type: &'m str) -> Self {
        Snapshot {
            model,
            def,
            sd_type,
            out: Vec::new(),
        }
    }

    /// The root element, then the elements depth-first.
    fn elements(mut self) -> Vec<Value> {
        self.out.push(self.root());
        self.children(self.def);
        self.out
    }

    fn root(&self) -> Value {
        let mut root = json!({
            "id": self.sd_type,
            "path": self.sd_type,
            "min": 0,
            "max": "*",
        });
        if let Some(obj) = root.as_object_mut() {
            self.add_constraints(obj, &self.def.constraints);
            obj.insert("isModifier".into(), json!(false));
            obj.insert("isSummary".into(), json!(false));
        }
        root
    }

    /// The elements of `owner` (the type or a backbone), each followed by its own children.
    fn children(&mut self, owner: &'m TypeDef) {
        for el in &owner.elements {
            self.out.push(self.element(el));
            let backbone = el
                .content_reference
                .is_none()
                .then(|| self.model.type_def(&el.path))
                .flatten()
                .filter(|t| t.kind == TypeKind::Backbone);
            if let Some(backbone) = backbone {
                self.children(backbone);
            }
        }
    }

    /// The path as written: the profile's own name replaced by its base type.
    fn path(&self, path: &str) -> String {
        match path.strip_prefix(self.def.name.as_str()) {
            Some(tail) if self.def.is_profile => format!("{}{tail}", self.sd_type),
            _ => path.to_owned(),
        }
    }

    fn element(&self, el: &ElementDef) -> Value {
        let path = self.path(&el.path);
        let mut obj = Map::new();
        obj.insert("id".into(), json!(path));
        obj.insert("path".into(), json!(path));
        if let Some(r) = el.representation {
            obj.insert("representation".into(), json!([representation(r)]));
        }
        if self.is_sliced(el) {
            obj.insert("slicing".into(), extension_slicing());
        }
        obj.insert("min".into(), json!(el.min));
        obj.insert("max".into(), json!(String::from(el.max)));
        if let Some(reference) = &el.content_reference {
            obj.insert(
                "contentReference".into(),
                json!(format!("#{}", self.path(reference))),
            );
        }
        if !el.types.is_empty() {
            let types: Vec<Value> = el.types.iter().map(type_ref).collect();
            obj.insert("type".into(), Value::Array(types));
        }
        self.add_constraints(&mut obj, &el.constraints);
        obj.insert("isModifier".into(), json!(el.is_modifier));
        obj.insert("isSummary".into(), json!(el.is_summary));
        if let Some(b) = &el.binding {
            let mut binding = json!({ "strength": strength(b.strength) });
            if let (Some(o), Some(vs)) = (binding.as_object_mut(), &b.value_set) {
                o.insert("valueSet".into(), json!(vs));
            }
            obj.insert("binding".into(), binding);
        }
        Value::Object(obj)
    }

    /// Where R4's snapshots slice extensions by url (see the module documentation).
    fn is_sliced(&self, el: &ElementDef) -> bool {
        let name = el.name();
        match self.def.kind {
            TypeKind::Complex => name == "extension",
            TypeKind::Resource => {
                self.def.name == "DomainResource"
                    && (name == "extension" || name == "modifierExtension")
            }
            _ => false,
        }
    }

    fn add_constraints(&self, obj: &mut Map<String, Value>, ids: &[String]) {
        let constraints: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.model.constraint(id))
            .map(|c| {
                let severity = match c.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                json!({
                    "key": c.key,
                    "severity": severity,
                    "human": c.human,
                    "expression": c.expression,
                    "source": format!("{CORE_SD}{}", c.source),
                })
            })
            .collect();
        if !constraints.is_empty() {
            obj.insert("constraint".into(), Value::Array(constraints));
        }
    }
}

/// `ElementDefinition.type`: a FHIRPath system type (a primitive's `value`) as its R4 URL.
fn type_ref(t: &ElementType) -> Value {
    let code = if t.code.starts_with("System.") {
        format!("{FHIRPATH}{}", t.code)
    } else {
        t.code.clone()
    };
    let mut obj = Map::new();
    obj.insert("code".into(), json!(code));
    if !t.profiles.is_empty() {
        obj.insert("profile".into(), json!(t.profiles));
    }
    if !t.target_profiles.is_empty() {
        obj.insert("targetProfile".into(), json!(t.target_profiles));
    }
    Value::Object(obj)
}

fn extension_slicing() -> Value {
    json!({
        "discriminator": [{"type": "value", "path": "url"}],
        "description": "Extensions are always sliced by (at least) url",
        "rules": "open",
    })
}

fn strength(s: BindingStrength) -> &'static str {
    match s {
        BindingStrength::Required => "required",
        BindingStrength::Extensible => "extensible",
        BindingStrength::Preferred => "preferred",
        BindingStrength::Example => "example",
    }
}

fn representation(r: Representation) -> &'static str {
    match r {
        Representation::XmlAttr => "xmlAttr",
        Representation::XmlText => "xmlText",
        Representation::TypeAttr => "typeAttr",
        Representation::CdaText => "cdaText",
        Representation::Xhtml => "xhtml",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::model::r4;

    fn ids(sd: &Value) -> Vec<&str> {
        sd["snapshot"]["element"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["id"].as_str())
            .collect()
    }

    #[test]
    fn patient_lists_backbone_children_in_order() {
        let sd = core_structure_definition(r4(), "Patient").unwrap();
        assert_eq!(sd["url"], "http://hl7.org/fhir/StructureDefinition/Patient");
        assert_eq!(
            (&sd["kind"], &sd["derivation"]),
            (&json!("resource"), &json!("specialization"))
        );
        assert_eq!(
            sd["baseDefinition"],
            "http://hl7.org/fhir/StructureDefinition/DomainResource"
        );
        let ids = ids(&sd);
        assert_eq!(&ids[..3], ["Patient", "Patient.id", "Patient.meta"]);
        let contact = ids.iter().position(|i| *i == "Patient.contact").unwrap();
        assert_eq!(ids[contact + 1], "Patient.contact.id");
        assert_eq!(ids[contact + 4], "Patient.contact.relationship");
        let els = sd["snapshot"]["element"].as_array().unwrap();
        assert!(els.iter().all(|e| e.get("slicing").is_none()));
        let gender = els.iter().find(|e| e["id"] == "Patient.gender").unwrap();
        assert_eq!(gender["binding"]["strength"], "required");
        assert_eq!(els[0]["constraint"][0]["key"], "dom-2");
    }

    #[test]
    fn datatypes_slice_extensions_and_profiles_use_base_paths() {
        let sd = core_structure_definition(r4(), "SimpleQuantity").unwrap();
        assert_eq!(
            (&sd["type"], &sd["derivation"]),
            (&json!("Quantity"), &json!("constraint"))
        );
        let els = sd["snapshot"]["element"].as_array().unwrap();
        let comparator = els
            .iter()
            .find(|e| e["id"] == "Quantity.comparator")
            .unwrap();
        assert_eq!(comparator["max"], "0");
        let ext = els
            .iter()
            .find(|e| e["id"] == "Quantity.extension")
            .unwrap();
        assert_eq!(ext["slicing"]["discriminator"][0]["path"], "url");
        let string = core_structure_definition(r4(), "string").unwrap();
        let value = &string["snapshot"]["element"][3];
        assert_eq!(
            value["type"][0]["code"],
            "http://hl7.org/fhirpath/System.String"
        );
        assert!(core_structure_definition(r4(), "Patient.contact").is_none());
    }

    #[test]
    fn content_references_keep_their_hash() {
        let sd = core_structure_definition(r4(), "Questionnaire").unwrap();
        let els = sd["snapshot"]["element"].as_array().unwrap();
        let item = els
            .iter()
            .find(|e| e["id"] == "Questionnaire.item.item")
            .unwrap();
        assert_eq!(item["contentReference"], "#Questionnaire.item");
        assert!(item.get("type").is_none());
    }

    #[test]
    fn every_core_type_is_added_once() {
        let mut set = ProfileSet::new();
        let added = add_core_definitions(&mut set, r4());
        assert!(added > 200, "{added}");
        assert!(set.has_structure("http://hl7.org/fhir/StructureDefinition/Extension"));
        assert_eq!(add_core_definitions(&mut set, r4()), 0);
    }

    #[test]
    fn only_the_needed_definitions_are_added_for_a_profile() {
        let profile = json!({"resourceType": "StructureDefinition", "url": "http://p",
            "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Observation",
            "differential": {"element": [{"id": "Observation.value[x]", "path": "Observation.value[x]",
                "type": [{"code": "Quantity",
                    "profile": ["http://hl7.org/fhir/StructureDefinition/SimpleQuantity|4.0.1"]}]}]}});
        let mut set = ProfileSet::new();
        // Observation, SimpleQuantity (Observation.referenceRange.low) and their bases.
        assert_eq!(
            add_core_definitions_for(&mut set, r4(), std::slice::from_ref(&profile)),
            6
        );
        assert!(set.has_structure("http://hl7.org/fhir/StructureDefinition/SimpleQuantity"));
        assert!(!set.has_structure("http://hl7.org/fhir/StructureDefinition/Patient"));
        assert_eq!(add_core_definitions_for(&mut set, r4(), &[profile]), 0);
    }
}
