//! Types, backbone elements and elements from the StructureDefinition snapshots.

use std::collections::BTreeSet;

use serde_json::Value;

use super::constraints::Registry;
use super::{arr, s, strings};
use crate::model::defs::{
    Binding, CORE_SD, ConstraintDef, ElementDef, ElementType, JsonKind, Max, PrimitiveDef, TypeKind,
};
use crate::model::rows::TypeRow;

const FHIRPATH: &str = "http://hl7.org/fhirpath/";
const FHIR_TYPE_EXT: &str = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
const REGEX_EXT: &str = "http://hl7.org/fhir/StructureDefinition/regex";

/// Everything the StructureDefinitions give.
pub(super) struct Structures {
    pub types: Vec<TypeRow>,
    pub elements: Vec<ElementDef>,
    pub constraints: Vec<ConstraintDef>,
    /// Value set canonicals (without version) of required bindings, sorted.
    pub required_value_sets: Vec<String>,
}

/// Builds the type, element and constraint tables from the StructureDefinitions, in order.
pub(super) fn build(sds: &[&Value]) -> Result<Structures, String> {
    let registry = Registry::build(sds)?;
    let mut types = Vec::new();
    let mut elements = Vec::new();
    for sd in sds {
        let (t, e) =
            structure(sd, &registry).map_err(|e| format!("{}: {e}", s(sd, "id").unwrap_or("?")))?;
        types.extend(t);
        elements.extend(e);
    }
    fix_primitive_system_types(&mut types);
    let required_value_sets = required_value_sets(&types, &elements);
    Ok(Structures {
        types,
        elements,
        constraints: registry.rows,
        required_value_sets,
    })
}

/// The type row, its backbone rows, and its elements for one StructureDefinition.
fn structure(sd: &Value, registry: &Registry) -> Result<(Vec<TypeRow>, Vec<ElementDef>), String> {
    let name = s(sd, "id").ok_or("no id")?;
    let kind = match s(sd, "kind") {
        Some("primitive-type") => TypeKind::Primitive,
        Some("complex-type") => TypeKind::Complex,
        Some("resource") => TypeKind::Resource,
        Some("logical") => TypeKind::Logical,
        other => return Err(format!("unknown kind {other:?}")),
    };
    let snapshot = arr(sd.get("snapshot").ok_or("no snapshot")?, "element");
    let (root, rest) = snapshot.split_first().ok_or("empty snapshot")?;
    let sd_type = s(sd, "type").unwrap_or(name);
    let path_of = |el: &Value| -> Result<String, String> {
        let p = s(el, "path").ok_or("element without path")?;
        // Profiles (SimpleQuantity) use the paths of their base type: rename them.
        Ok(p.strip_prefix(sd_type)
            .map_or_else(|| p.to_owned(), |tail| format!("{name}{tail}")))
    };
    let mut types = vec![TypeRow {
        name: name.to_owned(),
        kind,
        base: s(sd, "baseDefinition").map(|b| b.strip_prefix(CORE_SD).unwrap_or(b).to_owned()),
        is_abstract: sd.get("abstract").and_then(Value::as_bool).unwrap_or(false),
        is_profile: s(sd, "derivation") == Some("constraint"),
        constraints: registry.ids_of(root)?,
        primitive: None,
    }];
    let paths: Vec<String> = rest.iter().map(path_of).collect::<Result<_, _>>()?;
    let mut elements = Vec::with_capacity(rest.len());
    for (i, el) in rest.iter().enumerate() {
        let def = element(el, &paths[i], kind, registry)?;
        let has_children = paths
            .get(i + 1)
            .is_some_and(|next| next.starts_with(&format!("{}.", paths[i])));
        if let Some(base) = backbone_base(&def, has_children) {
            types.push(backbone_row(&def.path, base));
        }
        if kind == TypeKind::Primitive && def.name() == "value" {
            types[0].primitive = Some(primitive(name, el, &def)?);
        }
        elements.push(def);
    }
    Ok((types, elements))
}

/// The base type of a backbone element: `BackboneElement` or `Element`, when it has children.
fn backbone_base(def: &ElementDef, has_children: bool) -> Option<&str> {
    match def.types.as_slice() {
        [t] if has_children && (t.code == "BackboneElement" || t.code == "Element") => {
            Some(&t.code)
        }
        _ => None,
    }
}

fn backbone_row(path: &str, base: &str) -> TypeRow {
    TypeRow {
        name: path.to_owned(),
        kind: TypeKind::Backbone,
        base: Some(base.to_owned()),
        is_abstract: false,
        is_profile: false,
        constraints: Vec::new(),
        primitive: None,
    }
}

/// One element definition.
fn element(
    el: &Value,
    path: &str,
    owner: TypeKind,
    registry: &Registry,
) -> Result<ElementDef, String> {
    let min = el
        .get("min")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("{path}: no min"))?;
    let max = Max::try_from(
        s(el, "max")
            .ok_or_else(|| format!("{path}: no max"))?
            .to_owned(),
    )?;
    let base_path = el.get("base").and_then(|b| s(b, "path")).unwrap_or(path);
    let types = arr(el, "type")
        .iter()
        .map(|t| element_type(t, path, base_path, owner))
        .collect::<Result<_, _>>()?;
    let representation = match arr(el, "representation").first() {
        Some(r) => Some(serde_json::from_value(r.clone()).map_err(|e| format!("{path}: {e}"))?),
        None => None,
    };
    let binding = match el.get("binding") {
        Some(b) => Some(Binding {
            strength: serde_json::from_value(b.get("strength").cloned().unwrap_or_default())
                .map_err(|e| format!("{path}: binding strength: {e}"))?,
            value_set: s(b, "valueSet").map(str::to_owned),
        }),
        None => None,
    };
    let flag = |k: &str| el.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(ElementDef {
        path: path.to_owned(),
        min: u32::try_from(min).map_err(|e| format!("{path}: {e}"))?,
        max,
        types,
        content_reference: s(el, "contentReference").map(|c| c.trim_start_matches('#').to_owned()),
        is_summary: flag("isSummary"),
        is_modifier: flag("isModifier"),
        representation,
        binding,
        constraints: registry.ids_of(el)?,
    })
}

/// One `type` entry; FHIRPath system types are mapped as [`ElementType::code`] documents.
fn element_type(
    t: &Value,
    path: &str,
    base_path: &str,
    owner: TypeKind,
) -> Result<ElementType, String> {
    let code = s(t, "code").ok_or_else(|| format!("{path}: type without code"))?;
    let code = match code.strip_prefix(FHIRPATH) {
        None => code.to_owned(),
        Some(_) if base_path == "Resource.id" => "id".to_owned(),
        Some(system) if owner == TypeKind::Primitive && path.ends_with(".value") => {
            system.to_owned()
        }
        Some(_) => extension_value(t, FHIR_TYPE_EXT)
            .unwrap_or("string")
            .to_owned(),
    };
    Ok(ElementType {
        code,
        profiles: strings(t, "profile"),
        target_profiles: strings(t, "targetProfile"),
    })
}

/// The `valueUrl` / `valueString` of the extension `url` of `v`.
fn extension_value<'a>(v: &'a Value, url: &str) -> Option<&'a str> {
    arr(v, "extension")
        .iter()
        .find(|x| s(x, "url") == Some(url))
        .and_then(|x| s(x, "valueUrl").or_else(|| s(x, "valueString")))
}

/// The primitive description from the `value` element of primitive type `name`.
fn primitive(name: &str, el: &Value, def: &ElementDef) -> Result<PrimitiveDef, String> {
    let system = def
        .types
        .first()
        .map(|t| t.code.clone())
        .ok_or_else(|| format!("{name}.value has no type"))?;
    let regex = arr(el, "type")
        .first()
        .and_then(|t| extension_value(t, REGEX_EXT))
        .map(str::to_owned);
    Ok(PrimitiveDef {
        name: name.to_owned(),
        json: json_kind(&system),
        system,
        regex,
    })
}

fn json_kind(system: &str) -> JsonKind {
    match system {
        "System.Boolean" => JsonKind::Boolean,
        "System.Integer" | "System.Decimal" => JsonKind::Number,
        _ => JsonKind::String,
    }
}

/// R4 gives positiveInt and unsignedInt a `System.String` value: inherit the system type of a
/// primitive base (`integer`) when the type's own is the catch-all `System.String`.
fn fix_primitive_system_types(types: &mut [TypeRow]) {
    let systems: Vec<(String, String)> = types
        .iter()
        .filter_map(|t| {
            t.primitive
                .as_ref()
                .map(|p| (t.name.clone(), p.system.clone()))
        })
        .collect();
    for t in types.iter_mut() {
        let base_system = t
            .base
            .as_ref()
            .and_then(|b| systems.iter().find(|(n, _)| n == b))
            .map(|(_, s)| s);
        if let (Some(p), Some(base_system)) = (t.primitive.as_mut(), base_system)
            && p.system == "System.String"
        {
            p.system.clone_from(base_system);
            p.json = json_kind(&p.system);
        }
    }
}

/// Value sets of required bindings of the core (non-profile) types.
fn required_value_sets(types: &[TypeRow], elements: &[ElementDef]) -> Vec<String> {
    let profiles: Vec<&str> = types
        .iter()
        .filter(|t| t.is_profile)
        .map(|t| t.name.as_str())
        .collect();
    let mut urls = BTreeSet::new();
    for el in elements {
        let root = el.path.split('.').next().unwrap_or_default();
        if profiles.contains(&root) {
            continue;
        }
        if let Some(Binding {
            strength: crate::model::BindingStrength::Required,
            value_set: Some(vs),
        }) = &el.binding
        {
            urls.insert(vs.split('|').next().unwrap_or(vs).to_owned());
        }
    }
    urls.into_iter().collect()
}
