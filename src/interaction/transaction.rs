//! transaction Bundles: all or nothing. Entries are processed in the spec's order (DELETE, POST, PUT/PATCH,
//! then GET after the writes are committed); `fullUrl`s of new resources get their ids first, then every
//! reference to them (and every conditional reference `Type?criteria`) is rewritten, then all the writes are
//! planned and committed in one store commit. The first failing entry fails the whole Bundle and is named.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::batch::{Entry, entry_interaction, response_entry};
use super::{
    Context, Criteria, MAX_ATTEMPTS, Planned, PreferReturn, backoff, conditional, create, execute,
    plan,
};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{BundleBuilder, Id, ResourceType};
use crate::store::StoreError;

/// Run a transaction, answering the `transaction-response` Bundle; any entry's failure is the Bundle's.
pub async fn run(ctx: &Context, entries: &[Entry], ret: PreferReturn) -> Result<Value> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_once(ctx, entries, ret).await {
            Err(e) if e.kind == ErrorKind::Conflict && attempt < MAX_ATTEMPTS => {
                backoff(attempt).await
            }
            other => return other,
        }
    }
}

async fn attempt_once(outer: &Context, entries: &[Entry], ret: PreferReturn) -> Result<Value> {
    let mut inner = outer.clone();
    inner.in_transaction = true;
    let ctx = &inner;
    for e in entries
        .iter()
        .filter(|e| matches!(e.method.as_str(), "GET" | "HEAD"))
    {
        entry_interaction(ctx, e).map_err(|err| name_entry(err, e))?;
    }
    let mut planned: Vec<Option<Planned>> = (0..entries.len()).map(|_| None).collect();
    let mut writes = Vec::new();
    let mut seen = BTreeSet::new();
    let (deletes, others): (Vec<usize>, Vec<usize>) = order(entries)
        .into_iter()
        .partition(|i| entries[*i].method == "DELETE");
    for i in deletes {
        planned[i] = Some(plan_checked(ctx, &entries[i], None, &mut seen, &mut writes).await?);
    }
    let targets = assign(ctx, entries, &seen).await?;
    let mut entries = entries.to_vec();
    rewrite_all(ctx, &mut entries, &targets.map).await?;
    for i in others {
        planned[i] =
            Some(plan_checked(ctx, &entries[i], Some(&targets), &mut seen, &mut writes).await?);
    }
    super::facts::refresh(outer, &mut writes).await?;
    super::mhd::check(outer, &mut writes).await?;
    super::permission::check(outer, &writes).await?;
    let ctx = outer;
    match ctx.store.commit(writes).await {
        Ok(writes) => ctx.committed(&writes).await?,
        Err(StoreError::Conflict { .. }) => {
            return Err(Error::new(ErrorKind::Conflict, "concurrent change"));
        }
        Err(e) => return Err(e.into()),
    }
    respond(ctx, &entries, planned, ret).await
}

/// Plan one entry, refusing a second write to a resource already written by this transaction.
async fn plan_checked(
    ctx: &Context,
    e: &Entry,
    targets: Option<&Targets>,
    seen: &mut BTreeSet<(String, String)>,
    writes: &mut Vec<crate::store::WriteOp>,
) -> Result<Planned> {
    let p = plan_entry(ctx, e, targets)
        .await
        .map_err(|err| name_entry(err, e))?;
    for w in &p.writes {
        if !seen.insert((w.res_type.clone(), w.id.clone())) {
            let err = Error::invalid(format!(
                "{}/{} is written twice in this transaction",
                w.res_type, w.id
            ));
            return Err(name_entry(err, e));
        }
    }
    writes.extend(p.writes.iter().cloned());
    Ok(p)
}

async fn respond(
    ctx: &Context,
    entries: &[Entry],
    planned: Vec<Option<Planned>>,
    ret: PreferReturn,
) -> Result<Value> {
    let mut b = BundleBuilder::new("transaction-response");
    for (e, p) in entries.iter().zip(planned) {
        let result = match p {
            Some(p) => Ok(p.outcome),
            None => match entry_interaction(ctx, e) {
                Ok(i) => execute(ctx, &i).await,
                Err(err) => Err(err),
            },
        };
        b.push(response_entry(result, ret));
    }
    Ok(b.build())
}

/// Ids decided before planning: new ids of POSTs, matches of conditional creates and updates.
struct Targets {
    /// fullUrl → `Type/id`.
    map: HashMap<String, String>,
    /// Entry index → id to create (POST) or to update (conditional PUT).
    ids: HashMap<usize, Id>,
    /// Entries whose `ifNoneExist` matched an existing resource.
    existing: BTreeSet<usize>,
}

async fn assign(
    ctx: &Context,
    entries: &[Entry],
    deleted: &BTreeSet<(String, String)>,
) -> Result<Targets> {
    let mut t = Targets {
        map: HashMap::new(),
        ids: HashMap::new(),
        existing: BTreeSet::new(),
    };
    for e in entries {
        let (path, query) = e.url.split_once('?').unwrap_or((&e.url, ""));
        let target = match e.method.as_str() {
            "POST" => Some(post_target(ctx, e, path, deleted, &mut t).await?),
            "PUT" if !query.is_empty() => Some(cond_put_target(ctx, e, path, query).await?),
            "PUT" => path
                .split_once('/')
                .map(|(ty, id)| (ty.to_owned(), id.to_owned())),
            _ => None,
        };
        if let Some((ty, id)) = target {
            if e.method == "POST" || !query.is_empty() {
                t.ids.insert(e.index, Id::parse(&id)?);
            }
            if let Some(full) = &e.full_url {
                t.map.insert(full.clone(), format!("{ty}/{id}"));
            }
        }
    }
    Ok(t)
}

async fn post_target(
    ctx: &Context,
    e: &Entry,
    path: &str,
    deleted: &BTreeSet<(String, String)>,
    t: &mut Targets,
) -> Result<(String, String)> {
    let ty = ResourceType::parse(path).map_err(|err| name_entry(err, e))?;
    if let Some(q) = &e.if_none_exist {
        let mut found = conditional::matches(ctx, &ty, &Criteria::parse(q)?).await?;
        found.retain(|id| !deleted.contains(&(ty.to_string(), id.to_string())));
        match found.as_slice() {
            [] => {}
            [one] => {
                t.existing.insert(e.index);
                return Ok((ty.to_string(), one.to_string()));
            }
            _ => {
                let err = Error::new(
                    ErrorKind::PreconditionFailed,
                    "ifNoneExist matched more than one resource",
                );
                return Err(name_entry(err, e));
            }
        }
    }
    Ok((ty.to_string(), Id::generate().to_string()))
}

async fn cond_put_target(
    ctx: &Context,
    e: &Entry,
    path: &str,
    query: &str,
) -> Result<(String, String)> {
    let ty = ResourceType::parse(path).map_err(|err| name_entry(err, e))?;
    let found = conditional::matches(ctx, &ty, &Criteria::parse(query)?).await?;
    let id = match found.as_slice() {
        [] => e
            .resource
            .as_ref()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .map_or_else(|| Id::generate().to_string(), str::to_owned),
        [one] => one.to_string(),
        _ => {
            let err = Error::new(
                ErrorKind::PreconditionFailed,
                "the conditional update matched more than one resource",
            );
            return Err(name_entry(err, e));
        }
    };
    Ok((ty.to_string(), id))
}

/// DELETE, then POST, then PUT/PATCH; GET/HEAD are answered after the commit.
fn order(entries: &[Entry]) -> Vec<usize> {
    let rank = |m: &str| match m {
        "DELETE" => Some(0),
        "POST" => Some(1),
        "PUT" | "PATCH" => Some(2),
        _ => None,
    };
    let mut idx: Vec<(usize, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| rank(&e.method).map(|r| (r, i)))
        .collect();
    idx.sort_unstable();
    idx.into_iter().map(|(_, i)| i).collect()
}

async fn plan_entry(ctx: &Context, e: &Entry, t: Option<&Targets>) -> Result<Planned> {
    let interaction = entry_interaction(ctx, e)?;
    super::authorize(ctx, &interaction)?;
    let Some(t) = t else {
        return plan(ctx, &interaction).await;
    };
    match (&interaction, t.ids.get(&e.index)) {
        (super::Interaction::Create { ty, body, .. }, Some(id)) => {
            if t.existing.contains(&e.index) {
                let crit = Criteria::parse(&format!("_id={id}"))?;
                create::plan(ctx, ty, body, Some(&crit), None).await
            } else {
                create::plan(ctx, ty, body, None, Some(id.clone())).await
            }
        }
        (
            super::Interaction::ConditionalUpdate {
                ty, body, if_match, ..
            },
            Some(id),
        ) => {
            let mut body = body.clone();
            body["id"] = json!(id.as_str());
            super::update::plan(ctx, ty, id, &body, *if_match).await
        }
        _ => plan(ctx, &interaction).await,
    }
}

fn name_entry(e: Error, entry: &Entry) -> Error {
    let at = match &e.location {
        Some(loc) => in_entry(loc, entry.index),
        None => format!("Bundle.entry[{}]", entry.index),
    };
    let message = format!(
        "entry {} ({} {}): {}",
        entry.index, entry.method, entry.url, e.message
    );
    let outcome = e.outcome.map(|mut oo| {
        for issue in oo["issue"].as_array_mut().into_iter().flatten() {
            if let Some(Value::Array(exprs)) = issue.get_mut("expression") {
                for x in exprs.iter_mut() {
                    if let Some(loc) = x.as_str() {
                        *x = json!(in_entry(loc, entry.index));
                    }
                }
            }
        }
        oo
    });
    Error {
        message,
        location: Some(at),
        outcome,
        ..e
    }
}

/// `Patient.id` inside entry `i` is `Bundle.entry[i].resource.id`.
fn in_entry(loc: &str, index: usize) -> String {
    let inner = match loc.split_once('.') {
        Some((head, rest)) if head.starts_with(char::is_uppercase) => rest,
        _ if loc.starts_with(char::is_uppercase) => "",
        _ => loc,
    };
    if inner.is_empty() {
        format!("Bundle.entry[{index}].resource")
    } else {
        format!("Bundle.entry[{index}].resource.{inner}")
    }
}

async fn rewrite_all(
    ctx: &Context,
    entries: &mut [Entry],
    map: &HashMap<String, String>,
) -> Result<()> {
    let mut map = map.clone();
    for e in entries.iter() {
        if let Some(r) = &e.resource {
            resolve_conditional_refs(ctx, r, &mut map)
                .await
                .map_err(|err| name_entry(err, e))?;
        }
    }
    for e in entries.iter_mut() {
        if let Some(r) = &mut e.resource {
            rewrite(r, &map);
        }
        if let Some(target) = map.get(&e.url) {
            e.url.clone_from(target);
        }
    }
    Ok(())
}

/// Resolve every `reference` of the form `Type?criteria` to `Type/id`; zero or several matches fail.
async fn resolve_conditional_refs(
    ctx: &Context,
    r: &Value,
    map: &mut HashMap<String, String>,
) -> Result<()> {
    let mut refs = Vec::new();
    collect_conditional(r, &mut refs);
    for reference in refs {
        if map.contains_key(&reference) {
            continue;
        }
        let (ty, query) = reference.split_once('?').unwrap_or_default();
        let ty = ResourceType::parse(ty)?;
        let found = conditional::matches(ctx, &ty, &Criteria::parse(query)?).await?;
        match found.as_slice() {
            [one] => map.insert(reference.clone(), format!("{ty}/{one}")),
            [] => {
                return Err(Error::new(
                    ErrorKind::PreconditionFailed,
                    format!("conditional reference {reference} matches nothing"),
                ));
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::PreconditionFailed,
                    format!("conditional reference {reference} matches several resources"),
                ));
            }
        };
    }
    Ok(())
}

fn collect_conditional(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("reference", Value::String(s)) if s.contains('?') && !s.contains("://") => {
                        out.push(s.clone())
                    }
                    _ => collect_conditional(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_conditional(x, out)),
        _ => {}
    }
}

/// Replace every string equal to a mapped fullUrl (references, and uri/canonical values naming it).
fn rewrite(v: &mut Value, map: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(t) = map.get(s.as_str()) {
                *s = t.clone();
            }
        }
        Value::Object(m) => m.values_mut().for_each(|x| rewrite(x, map)),
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, map)),
        _ => {}
    }
}
