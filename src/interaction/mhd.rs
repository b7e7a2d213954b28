//! Document sharing as IHE MHD / the ANS PDSm guide define it, on the write path:
//! - ITI-105 (simplified publish): a DocumentReference whose attachment carries `data` has it moved
//!   to a new Binary; the attachment then names it (`url`), with its `size` and SHA-1 `hash`;
//! - every DocumentReference attachment naming a local Binary (`Binary/<id>`) with a `size` or a
//!   `hash` is checked against the content (422 on a mismatch), whether the Binary is stored or
//!   written by the same transaction (ITI-65); a Binary the server does not hold is not checked;
//! - replacement: `relatesTo.code = replaces` makes the target `superseded` in the same commit;
//! - deletion is logical: `DELETE DocumentReference/<id>` writes a version with status
//!   `entered-in-error` (the consent engine lets only the author do it).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::Context;
use crate::consent::binary_id;
use crate::error::{Error, Result};
use crate::fhir::{Id, Instant};
use crate::store::WriteOp;

/// ITI-105: the body with inline attachment `data` moved to new Binary resources (returned).
pub fn inline_contents(body: &Value) -> Result<(Value, Vec<Value>)> {
    let mut body = body.clone();
    let mut binaries = Vec::new();
    let Some(contents) = body.get_mut("content").and_then(Value::as_array_mut) else {
        return Ok((body, binaries));
    };
    for (i, content) in contents.iter_mut().enumerate() {
        let Some(att) = content.get_mut("attachment").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(data) = att.get("data").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        let bytes = STANDARD.decode(data.as_bytes()).map_err(|_| {
            Error::invalid("attachment.data is not base64")
                .at(format!("DocumentReference.content[{i}].attachment.data"))
        })?;
        let id = Id::generate();
        let content_type = att
            .get("contentType")
            .and_then(Value::as_str)
            .unwrap_or("application/octet-stream")
            .to_owned();
        binaries.push(json!({"resourceType": "Binary", "id": id.as_str(),
            "contentType": content_type, "data": data}));
        att.remove("data");
        att.insert("url".into(), json!(format!("Binary/{id}")));
        att.entry("size").or_insert(json!(bytes.len()));
        att.entry("hash").or_insert(json!(sha1_base64(&bytes)));
    }
    Ok((body, binaries))
}

fn sha1_base64(bytes: &[u8]) -> String {
    STANDARD.encode(Sha1::digest(bytes))
}

/// Checks attachments and adds the supersessions of `writes` (see the module doc).
pub async fn check(ctx: &Context, writes: &mut Vec<WriteOp>) -> Result<()> {
    let mut superseded = Vec::new();
    for w in writes.iter().filter(|w| w.res_type == "DocumentReference") {
        let Some(content) = &w.content else { continue };
        let doc: Value = serde_json::from_slice(content).map_err(Error::internal)?;
        check_attachments(ctx, &doc, writes).await?;
        for target in replaced(&doc) {
            if writes
                .iter()
                .any(|o| o.res_type == "DocumentReference" && o.id == target)
                || superseded.iter().any(|o: &WriteOp| o.id == target)
            {
                continue;
            }
            superseded.push(supersede(ctx, &target).await?);
        }
    }
    writes.extend(superseded);
    Ok(())
}

async fn check_attachments(ctx: &Context, doc: &Value, writes: &[WriteOp]) -> Result<()> {
    let contents = doc["content"].as_array().cloned().unwrap_or_default();
    for (i, content) in contents.iter().enumerate() {
        let att = &content["attachment"];
        let at = |f: &str| format!("DocumentReference.content[{i}].attachment.{f}");
        let (size, hash) = (att.get("size"), att.get("hash").and_then(Value::as_str));
        let Some(id) = att["url"].as_str().and_then(binary_id) else {
            continue;
        };
        if size.is_none() && hash.is_none() {
            continue;
        }
        // Content named but held elsewhere (not stored here): nothing to check it against.
        let Some(bytes) = binary_bytes(ctx, id, writes).await? else {
            continue;
        };
        if let Some(size) = size
            && size.as_u64() != Some(bytes.len() as u64)
        {
            return Err(Error::unprocessable(format!(
                "attachment.size is {size} but Binary/{id} holds {} bytes",
                bytes.len()
            ))
            .at(at("size")));
        }
        if let Some(hash) = hash
            && hash != sha1_base64(&bytes)
        {
            return Err(Error::unprocessable(format!(
                "attachment.hash is not the SHA-1 of Binary/{id}"
            ))
            .at(at("hash")));
        }
    }
    Ok(())
}

/// The decoded content of Binary `id`: written by this commit, or stored.
async fn binary_bytes(ctx: &Context, id: &str, writes: &[WriteOp]) -> Result<Option<Vec<u8>>> {
    let json: Option<Value> = match writes.iter().find(|w| w.res_type == "Binary" && w.id == id) {
        Some(w) => w
            .content
            .as_deref()
            .map(serde_json::from_slice)
            .transpose()
            .map_err(Error::internal)?,
        None => match ctx.store.current("Binary", id).await? {
            Some(v) if !v.deleted => Some(super::resource::parse_stored(&v)?),
            _ => None,
        },
    };
    Ok(json.map(|b| {
        b["data"]
            .as_str()
            .and_then(|d| STANDARD.decode(d.as_bytes()).ok())
            .unwrap_or_default()
    }))
}

/// Ids of the DocumentReferences `doc` replaces.
fn replaced(doc: &Value) -> Vec<String> {
    doc["relatesTo"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["code"] == "replaces")
        .filter_map(|r| r["target"]["reference"].as_str())
        .filter_map(|r| r.split("/_history/").next())
        .filter_map(|r| {
            r.rsplit_once("DocumentReference/")
                .map(|(_, id)| id.to_owned())
        })
        .collect()
}

/// The new version of `DocumentReference/<id>` with status `superseded`.
async fn supersede(ctx: &Context, id: &str) -> Result<WriteOp> {
    let missing = || {
        Error::unprocessable(format!(
            "relatesTo names DocumentReference/{id}, which is not known"
        ))
        .at("DocumentReference.relatesTo")
    };
    let current = ctx
        .current("DocumentReference", id)
        .await?
        .ok_or_else(missing)?;
    if current.deleted {
        return Err(missing());
    }
    let mut doc = super::resource::parse_stored(&current)?;
    doc["status"] = json!("superseded");
    super::resource::new_version(ctx, &doc, current.version + 1, "PUT", Instant::now()).await
}
