//! `$reindex`: rebuild the search index rows of existing resources with the parameters in force (after a
//! SearchParameter was added or changed). Answers a Parameters resource with the count.

use serde_json::{Value, json};

use super::{Body, Context, Outcome, resource};
use crate::error::Result;
use crate::fhir::ResourceType;
use crate::store::{Store, WriteOp};

const BATCH: i64 = 500;

/// The live SearchParameter resources of the database.
pub async fn runtime_parameters(store: &Store) -> Result<Vec<Value>> {
    all_of_type(store, "SearchParameter").await
}

/// Every live resource of type `ty`, parsed.
pub async fn all_of_type(store: &Store, ty: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut after: Option<(String, String)> = None;
    loop {
        let page = store
            .current_after(
                Some(ty),
                after.as_ref().map(|(t, i)| (t.as_str(), i.as_str())),
                BATCH,
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.res_type.clone(), last.id.clone()));
        for v in &page {
            out.push(resource::parse_stored(v)?);
        }
    }
    Ok(out)
}

/// Re-extract and rewrite the index of every live resource (of `ty`, if given).
pub async fn run(ctx: &Context, ty: Option<&ResourceType>) -> Result<Outcome> {
    let extractor = ctx.search.get();
    let mut after: Option<(String, String)> = None;
    let mut count = 0usize;
    loop {
        let page = ctx
            .store
            .current_after(
                ty.map(ResourceType::as_str),
                after.as_ref().map(|(t, i)| (t.as_str(), i.as_str())),
                BATCH,
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.res_type.clone(), last.id.clone()));
        let mut ops = Vec::with_capacity(page.len());
        for v in &page {
            let json = resource::parse_stored(v)?;
            let index = extractor.extract(&json);
            let access = super::facts::rows(ctx, &json, &index).await.ok();
            ops.push(WriteOp {
                res_type: v.res_type.clone(),
                id: v.id.clone(),
                version: v.version,
                last_updated: v.last_updated,
                method: "PUT",
                content: None,
                index,
                access,
            });
        }
        ctx.store.replace_index(&ops).await?;
        count += ops.len();
    }
    let body = json!({"resourceType": "Parameters", "parameter": [{"name": "reindexed", "valueInteger": count}]});
    Ok(Outcome::new(200, Body::Json(body)))
}
