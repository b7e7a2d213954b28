//! Within a visible resource, what the requester may not see: a List's entries follow the
//! visibility of the DocumentReference they name (access-rules.md: "a DocumentReference … and its
//! entry in a List"), so a submission set or a folder never reveals a hidden document. Applied to
//! everything answered (a List, or the Lists of a Bundle) after the interaction, before the trail.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Body, Context, Outcome};
use crate::consent::AccessScope;
use crate::error::{Error, Result};
use crate::store::SqlQuery;

/// Removes from the Lists `outcome` answers the entries naming DocumentReferences the requester
/// cannot see (or that do not exist).
pub async fn lists(ctx: &Context, outcome: &mut Outcome) -> Result<()> {
    if *ctx.access == AccessScope::All {
        return Ok(());
    }
    let mut body = match &outcome.body {
        Body::Stored(bytes) if mentions_list(bytes) => {
            serde_json::from_slice::<Value>(bytes).map_err(Error::internal)?
        }
        Body::Json(v) if v["resourceType"] == "Bundle" || v["resourceType"] == "List" => v.clone(),
        _ => return Ok(()),
    };
    let mut ids = BTreeSet::new();
    each_list(&mut body, &mut |list| {
        ids.extend(doc_entries(list));
    });
    if ids.is_empty() {
        return Ok(());
    }
    let visible = visible_documents(ctx, &ids).await?;
    let mut changed = false;
    each_list(&mut body, &mut |list| {
        if let Some(entries) = list.get_mut("entry").and_then(Value::as_array_mut) {
            let before = entries.len();
            entries.retain(|e| doc_id(e).is_none_or(|id| visible.contains(&id)));
            changed |= entries.len() != before;
        }
    });
    if changed {
        outcome.body = Body::Json(body);
    }
    Ok(())
}

fn mentions_list(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w == b"\"List\"")
}

/// Calls `f` on the value if it is a List, or on each List of a Bundle's entries.
fn each_list(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if v["resourceType"] == "List" {
        f(v);
    } else if let Some(entries) = v.get_mut("entry").and_then(Value::as_array_mut) {
        for e in entries {
            if let Some(r) = e.get_mut("resource")
                && r["resourceType"] == "List"
            {
                f(r);
            }
        }
    }
}

fn doc_id(entry: &Value) -> Option<String> {
    let r = entry["item"]["reference"].as_str()?;
    let r = r.split("/_history/").next().unwrap_or(r);
    let (_, id) = r.rsplit_once("DocumentReference/")?;
    (!id.contains('/')).then(|| id.to_owned())
}

fn doc_entries(list: &Value) -> Vec<String> {
    list["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(doc_id)
        .collect()
}

async fn visible_documents(ctx: &Context, ids: &BTreeSet<String>) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let chunk: Vec<&String> = ids.iter().collect();
    for part in chunk.chunks(200) {
        let mut q = SqlQuery::default();
        let marks: Vec<String> = part.iter().map(|id| q.text((*id).clone())).collect();
        let cond = match ctx.visibility(Some("DocumentReference"), "r.res_type", "r.res_id") {
            Some(v) => q.splice(&v),
            None => "1 = 1".to_owned(),
        };
        q.sql = format!(
            "SELECT r.res_type, r.res_id FROM resources r WHERE r.res_type = 'DocumentReference' \
             AND r.deleted = 0 AND r.res_id IN ({}) AND {cond}",
            marks.join(", ")
        );
        out.extend(ctx.store.pairs(&q).await?.into_iter().map(|(_, id)| id));
    }
    Ok(out)
}
