//! ITI-65 Provide Document Bundle (IHE MHD, profiled by PDSm): the checks a Document Recipient makes
//! on a submission before the transaction runs. A transaction Bundle is a submission when it declares
//! an ITI-65 Bundle profile, or when it creates (POST) an MHD SubmissionSet List. Then:
//! - it carries exactly one SubmissionSet, created by POST, and at least one DocumentReference;
//! - every SubmissionSet item is a DocumentReference or folder List, of the Bundle or stored, and every
//!   DocumentReference and folder of the Bundle is an item of the SubmissionSet;
//! - a folder's items are DocumentReferences;
//! - the SubmissionSet, its DocumentReferences and folders name the same patient;
//! - each DocumentReference attachment has a `url`: a Binary of the Bundle, a stored Binary, or an
//!   absolute address (content held elsewhere); its size and hash are checked later by [`super::mhd`].
//!
//! A refused submission is a 422 whose message starts with the XDS error code MHD maps it to
//! (`XDSRegistryMetadataError`, `XDSPatientIdDoesNotMatch`, `XDSMissingDocument`) and names where.
//! The answer of an accepted one is the transaction-response, one entry per request entry, in order.

use serde_json::Value;

use super::Context;
use super::batch::Entry;
use crate::dmp::PROVIDE_PROFILES;
use crate::error::{Error, Result};

/// The XDS error codes MHD maps a refused submission to.
const METADATA: &str = "XDSRegistryMetadataError";
const PATIENT_MISMATCH: &str = "XDSPatientIdDoesNotMatch";
const MISSING_DOCUMENT: &str = "XDSMissingDocument";

const LIST_TYPES: &str = "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes";

/// Whether the transaction `bundle` (parsed as `entries`) is an ITI-65 submission.
pub fn is_submission(bundle: &Value, entries: &[Entry]) -> bool {
    let declared = bundle
        .pointer("/meta/profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|p| PROVIDE_PROFILES.contains(&p.split('|').next().unwrap_or(p)));
    declared
        || entries
            .iter()
            .any(|e| e.method == "POST" && list_kind(e) == Some(ListKind::SubmissionSet))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    SubmissionSet,
    Folder,
}

fn list_kind(e: &Entry) -> Option<ListKind> {
    let r = e.resource.as_ref()?;
    if r["resourceType"] != "List" {
        return None;
    }
    let codings = r.pointer("/code/coding").and_then(Value::as_array)?;
    codings
        .iter()
        .filter(|c| c["system"] == LIST_TYPES)
        .find_map(|c| match c["code"].as_str() {
            Some("submissionset") => Some(ListKind::SubmissionSet),
            Some("folder") => Some(ListKind::Folder),
            _ => None,
        })
}

fn is_document(e: &Entry) -> bool {
    resource(e)["resourceType"] == "DocumentReference"
}

/// A DocumentReference or folder of the Bundle: what the SubmissionSet must list.
fn is_member(e: &Entry) -> bool {
    is_document(e) || list_kind(e) == Some(ListKind::Folder)
}

/// The entry's resource (`null` for an entry without one).
fn resource(e: &Entry) -> &Value {
    e.resource.as_ref().unwrap_or(&Value::Null)
}

fn at(e: &Entry, path: &str) -> String {
    format!("Bundle.entry[{}]{path}", e.index)
}

fn refused(code: &str, message: String, location: String) -> Error {
    Error::unprocessable(format!("{code}: {message}")).at(location)
}

/// Check the submission (see the module doc).
pub async fn check(ctx: &Context, entries: &[Entry]) -> Result<()> {
    let sets: Vec<&Entry> = entries
        .iter()
        .filter(|e| list_kind(e) == Some(ListKind::SubmissionSet))
        .collect();
    let [set] = sets.as_slice() else {
        return Err(refused(
            METADATA,
            format!(
                "an ITI-65 Bundle carries exactly one SubmissionSet List, this one {}",
                sets.len()
            ),
            "Bundle.entry".into(),
        ));
    };
    if set.method != "POST" {
        return Err(refused(
            METADATA,
            "the SubmissionSet is created (POST)".into(),
            at(set, ".request.method"),
        ));
    }
    if !entries.iter().any(is_document) {
        return Err(refused(
            METADATA,
            "an ITI-65 Bundle carries at least one DocumentReference".into(),
            "Bundle.entry".into(),
        ));
    }
    let items = items(resource(set));
    for (k, item) in items.iter().enumerate() {
        let loc = at(set, &format!(".resource.entry[{k}].item"));
        match item_target(ctx, entries, item).await? {
            Some(Target::Document) | Some(Target::Folder) => {}
            Some(Target::Other) => {
                return Err(refused(
                    METADATA,
                    format!(
                        "a SubmissionSet item is a DocumentReference or a folder List, not {item}"
                    ),
                    loc,
                ));
            }
            None => {
                return Err(refused(
                    METADATA,
                    format!("the SubmissionSet item {item} is neither in the Bundle nor stored"),
                    loc,
                ));
            }
        }
    }
    for e in entries.iter().filter(|e| is_member(e)) {
        if !items.iter().any(|i| names(e, i)) {
            return Err(refused(
                METADATA,
                "every DocumentReference and folder of the Bundle is an item of the SubmissionSet"
                    .into(),
                at(e, ".fullUrl"),
            ));
        }
    }
    check_folders(ctx, entries).await?;
    check_patient(entries, set)?;
    check_attachments(ctx, entries).await
}

/// The `entry.item.reference`s of a List.
fn items(list: &Value) -> Vec<String> {
    list["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i.pointer("/item/reference").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// Whether `reference` names entry `e` (its fullUrl, or `Type/id` of its resource).
fn names(e: &Entry, reference: &str) -> bool {
    if e.full_url.as_deref() == Some(reference) {
        return true;
    }
    let Some(r) = &e.resource else { return false };
    let (Some(t), Some(id)) = (r["resourceType"].as_str(), r["id"].as_str()) else {
        return false;
    };
    let local = format!("{t}/{id}");
    reference == local || reference.ends_with(&format!("/{local}"))
}

enum Target {
    Document,
    Folder,
    Other,
}

async fn item_target(ctx: &Context, entries: &[Entry], reference: &str) -> Result<Option<Target>> {
    if let Some(e) = entries.iter().find(|e| names(e, reference)) {
        return Ok(Some(if is_document(e) {
            Target::Document
        } else if list_kind(e) == Some(ListKind::Folder) {
            Target::Folder
        } else {
            Target::Other
        }));
    }
    let Some((t, id)) = reference.split_once('/') else {
        return Ok(None);
    };
    let target = match t {
        "DocumentReference" => Target::Document,
        "List" => Target::Folder,
        _ => return Ok(Some(Target::Other)),
    };
    let stored = ctx.current(t, id).await?.is_some_and(|v| !v.deleted);
    Ok(stored.then_some(target))
}

async fn check_folders(ctx: &Context, entries: &[Entry]) -> Result<()> {
    for f in entries
        .iter()
        .filter(|e| list_kind(e) == Some(ListKind::Folder))
    {
        for (k, item) in items(resource(f)).iter().enumerate() {
            if !matches!(
                item_target(ctx, entries, item).await?,
                Some(Target::Document)
            ) {
                return Err(refused(
                    METADATA,
                    format!(
                        "a folder item is a DocumentReference of the Bundle or stored, not {item}"
                    ),
                    at(f, &format!(".resource.entry[{k}].item")),
                ));
            }
        }
    }
    Ok(())
}

/// The patient a `subject` names: its reference (a Bundle fullUrl resolved to `Type/id` when the
/// entry has an id), else its identifier.
fn patient_key(entries: &[Entry], subject: &Value) -> Option<String> {
    if let Some(r) = subject["reference"].as_str() {
        let resolved = entries.iter().find(|e| names(e, r)).and_then(|e| {
            let res = resource(e);
            Some(format!(
                "{}/{}",
                res["resourceType"].as_str()?,
                res["id"].as_str()?
            ))
        });
        return Some(resolved.unwrap_or_else(|| r.to_owned()));
    }
    let i = &subject["identifier"];
    Some(format!(
        "{}|{}",
        i["system"].as_str()?,
        i["value"].as_str()?
    ))
}

fn check_patient(entries: &[Entry], set: &Entry) -> Result<()> {
    let subject = |e: &Entry| patient_key(entries, &resource(e)["subject"]);
    let Some(patient) = subject(set) else {
        return Ok(()); // the SubmissionSet profile requires it
    };
    for e in entries.iter().filter(|e| is_member(e)) {
        if let Some(other) = subject(e)
            && other != patient
        {
            return Err(refused(
                PATIENT_MISMATCH,
                format!("the subject {other} is not the SubmissionSet's ({patient})"),
                at(e, ".resource.subject"),
            ));
        }
    }
    Ok(())
}

async fn check_attachments(ctx: &Context, entries: &[Entry]) -> Result<()> {
    for e in entries.iter().filter(|e| is_document(e)) {
        let contents = resource(e)["content"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for (i, content) in contents.iter().enumerate() {
            let loc = at(e, &format!(".resource.content[{i}].attachment.url"));
            let Some(url) = content.pointer("/attachment/url").and_then(Value::as_str) else {
                return Err(refused(
                    MISSING_DOCUMENT,
                    "an ITI-65 attachment names its Binary by url".into(),
                    loc,
                ));
            };
            if let Some(b) = entries.iter().find(|b| names(b, url)) {
                if resource(b)["resourceType"] == "Binary" {
                    continue;
                }
                return Err(refused(
                    MISSING_DOCUMENT,
                    format!("the attachment url {url} names an entry that is not a Binary"),
                    loc,
                ));
            }
            if url.starts_with("urn:") {
                return Err(refused(
                    MISSING_DOCUMENT,
                    format!("the attachment url {url} is not an entry of the Bundle"),
                    loc,
                ));
            }
            if let Some(id) = url.strip_prefix("Binary/")
                && ctx.current("Binary", id).await?.is_none_or(|v| v.deleted)
            {
                return Err(refused(
                    MISSING_DOCUMENT,
                    format!("{url} is neither in the Bundle nor stored"),
                    loc,
                ));
            }
        }
    }
    Ok(())
}
