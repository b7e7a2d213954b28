//! Builds the [`Model`] from the committed tables.

use std::collections::HashSet;

use foldhash::{HashMap, HashMapExt};

use serde::de::DeserializeOwned;

use super::Model;
use super::defs::{ConstraintDef, ElementDef, PrimitiveDef, TypeKind};
use super::rows::{CompartmentRow, TypeRow};
use super::search::SearchParamDef;
use super::typedef::TypeDef;
use super::valueset::{ValueSetDef, ValueSetRow};

/// The committed tables, by file name.
pub(super) struct Tables<'a> {
    pub types: &'a str,
    pub elements: &'a str,
    pub constraints: &'a str,
    pub search_parameters: &'a str,
    pub compartments: &'a str,
    pub value_sets: &'a str,
}

/// The R4 tables compiled into the binary.
pub(super) const R4: Tables<'static> = Tables {
    types: include_str!("tables/types.jsonl"),
    elements: include_str!("tables/elements.jsonl"),
    constraints: include_str!("tables/constraints.jsonl"),
    search_parameters: include_str!("tables/search-parameters.jsonl"),
    compartments: include_str!("tables/compartments.jsonl"),
    value_sets: include_str!("tables/value-sets.jsonl"),
};

/// Parses `tables`. Never fails: a line that does not parse, or an element without a parent
/// type, is skipped and reported in [`Model::load_errors`] (empty for the committed tables, as
/// the unit tests check).
pub(super) fn load(tables: &Tables<'_>) -> Model {
    let mut errors = Vec::new();
    let (types, primitives) = load_types(tables, &mut errors);
    let mut resource_types: Vec<String> = types
        .values()
        .filter(|t| t.kind == TypeKind::Resource && !t.is_abstract)
        .map(|t| t.name.clone())
        .collect();
    resource_types.sort();
    let constraints =
        parse_lines::<ConstraintDef>(tables.constraints, "constraints.jsonl", &mut errors);
    let mut model = Model {
        resource_set: resource_types.iter().cloned().collect(),
        resource_types,
        types,
        primitives,
        constraints: constraints.into_iter().map(|c| (c.id.clone(), c)).collect(),
        search: HashMap::new(),
        compartments: HashMap::new(),
        value_sets: HashMap::new(),
        unexpanded: Vec::new(),
        errors: Vec::new(),
    };
    let params = parse_lines(
        tables.search_parameters,
        "search-parameters.jsonl",
        &mut errors,
    );
    model.search = index_search_params(&model, params);
    for row in parse_lines::<CompartmentRow>(tables.compartments, "compartments.jsonl", &mut errors)
    {
        let compartment = model.compartments.entry(row.compartment).or_default();
        compartment.insert(row.resource, row.params);
    }
    for row in parse_lines::<ValueSetRow>(tables.value_sets, "value-sets.jsonl", &mut errors) {
        match row.unexpanded {
            Some(why) => model.unexpanded.push((row.url, why)),
            None => {
                let vs = ValueSetDef::new(row.url.clone(), row.name, row.include);
                model.value_sets.insert(row.url, vs);
            }
        }
    }
    model.errors = errors;
    model
}

/// Types and backbones with their elements and JSON-name indexes; primitives by name.
fn load_types(
    tables: &Tables<'_>,
    errors: &mut Vec<String>,
) -> (HashMap<String, TypeDef>, HashMap<String, PrimitiveDef>) {
    let mut types: HashMap<String, TypeDef> = HashMap::new();
    let mut primitives = HashMap::new();
    for row in parse_lines::<TypeRow>(tables.types, "types.jsonl", errors) {
        if let Some(p) = row.primitive.clone() {
            primitives.insert(p.name.clone(), p);
        }
        types.insert(row.name.clone(), TypeDef::from_row(row));
    }
    for el in parse_lines::<ElementDef>(tables.elements, "elements.jsonl", errors) {
        let owner = el.path.rsplit_once('.').map_or("", |(o, _)| o);
        match types.get_mut(owner) {
            Some(t) => t.elements.push(el),
            None => errors.push(format!("elements.jsonl: {} has no parent type", el.path)),
        }
    }
    types.values_mut().for_each(TypeDef::build_index);
    (types, primitives)
}

/// One record per non-empty line; bad lines are reported in `errors` with their number.
fn parse_lines<T: DeserializeOwned>(text: &str, file: &str, errors: &mut Vec<String>) -> Vec<T> {
    let mut rows = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str(line) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(format!("{file}:{}: {e}", n + 1)),
        }
    }
    rows
}

/// Search parameters by resource type; those of `Resource` / `DomainResource` are given to every
/// resource type deriving from them (and kept under their own name too).
fn index_search_params(
    model: &Model,
    params: Vec<SearchParamDef>,
) -> HashMap<String, Vec<SearchParamDef>> {
    let mut by_type: HashMap<String, Vec<SearchParamDef>> = HashMap::new();
    for p in params {
        let mut targets: Vec<&str> = Vec::new();
        for base in &p.base {
            targets.push(base);
            if base == "Resource" || base == "DomainResource" {
                targets.extend(model.resource_types().filter(|rt| model.is_a(rt, base)));
            }
        }
        let mut seen = HashSet::new();
        for t in targets.into_iter().filter(|t| seen.insert(*t)) {
            by_type.entry(t.to_owned()).or_default().push(p.clone());
        }
    }
    by_type
}
