//! SMART on FHIR scopes, v1 (`user/Observation.read`, `patient/*.write`, `system/*.*`) and v2
//! (`user/*.cruds`, `patient/DocumentReference.rs?category=...`).
//!
//! Non-resource scopes (`openid`, `fhirUser`, `launch`, `launch/patient`, `offline_access`, ...)
//! are ignored. v2 permission letters must appear in the order `c r u d s`, each at most once.
//! A v2 `?param=value` suffix is parsed and kept in [`SmartScope::query`], but [`permits`] does
//! not evaluate it: to fail closed, a scope carrying a query grants nothing through [`permits`];
//! a caller able to apply the filter may use such scopes itself.

use super::error::AuthError;

/// The SMART context of a scope (the part before `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// `user/`: what the authenticated user may access.
    User,
    /// `patient/`: restricted to the patient in context.
    Patient,
    /// `system/`: backend service access.
    System,
}

/// A FHIR interaction class that scopes grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `create` (v2 `c`).
    Create,
    /// `read` and `vread` (v2 `r`).
    Read,
    /// `update` and `patch` (v2 `u`).
    Update,
    /// `delete` (v2 `d`).
    Delete,
    /// `search` and `history` (v2 `s`).
    Search,
}

/// One parsed resource scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartScope {
    /// `user`, `patient` or `system`.
    pub context: Context,
    /// The resource type, or `None` for `*`.
    pub resource: Option<String>,
    /// Grants create.
    pub create: bool,
    /// Grants read.
    pub read: bool,
    /// Grants update.
    pub update: bool,
    /// Grants delete.
    pub delete: bool,
    /// Grants search.
    pub search: bool,
    /// The v2 query suffix without `?` (e.g. `category=laboratory`), if any.
    pub query: Option<String>,
}

impl SmartScope {
    /// Parses one scope. `Ok(None)` for a non-resource scope (no `user/`, `patient/` or
    /// `system/` prefix); [`AuthError::InvalidScope`] for a malformed resource scope.
    pub fn parse(text: &str) -> Result<Option<Self>, AuthError> {
        let err = || AuthError::InvalidScope(printable(text));
        let Some((prefix, body)) = text.split_once('/') else {
            return Ok(None);
        };
        let context = match prefix {
            "user" => Context::User,
            "patient" => Context::Patient,
            "system" => Context::System,
            _ => return Ok(None),
        };
        let (body, query) = match body.split_once('?') {
            Some((body, query)) if !query.is_empty() => (body, Some(query.to_owned())),
            Some(_) => return Err(err()),
            None => (body, None),
        };
        let (resource, perms) = body.split_once('.').ok_or_else(err)?;
        let resource = match resource {
            "*" => None,
            name if is_resource_type(name) => Some(name.to_owned()),
            _ => return Err(err()),
        };
        let [create, read, update, delete, search] = match perms {
            "read" => [false, true, false, false, true],
            "write" => [true, false, true, true, false],
            "*" => [true; 5],
            v2 => v2_permissions(v2).ok_or_else(err)?,
        };
        Ok(Some(Self {
            context,
            resource,
            create,
            read,
            update,
            delete,
            search,
            query,
        }))
    }

    /// Whether this scope grants `op`.
    pub fn allows(&self, op: Op) -> bool {
        match op {
            Op::Create => self.create,
            Op::Read => self.read,
            Op::Update => self.update,
            Op::Delete => self.delete,
            Op::Search => self.search,
        }
    }

    /// Whether this scope names `resource_type` (or `*`).
    pub fn covers(&self, resource_type: &str) -> bool {
        self.resource.as_deref().is_none_or(|r| r == resource_type)
    }
}

/// Parses a space-separated SMART `scope` string, dropping non-resource scopes.
pub fn parse_scopes(scope: &str) -> Result<Vec<SmartScope>, AuthError> {
    let mut out = Vec::new();
    for item in scope.split_ascii_whitespace() {
        if let Some(parsed) = SmartScope::parse(item)? {
            out.push(parsed);
        }
    }
    Ok(out)
}

/// Whether some scope grants `op` on `resource_type`, whatever its context (enforcing the
/// patient compartment of `patient/` scopes is the consent engine's job). Scopes with a v2
/// query suffix are skipped (fail closed, see the module doc).
pub fn permits(scopes: &[SmartScope], resource_type: &str, op: Op) -> bool {
    scopes
        .iter()
        .any(|s| s.query.is_none() && s.covers(resource_type) && s.allows(op))
}

/// `c r u d s` in this order, each at most once, at least one.
fn v2_permissions(text: &str) -> Option<[bool; 5]> {
    let mut granted = [false; 5];
    let mut next = 0;
    for c in text.chars() {
        let index = "cruds".find(c)?;
        if index < next {
            return None;
        }
        granted[index] = true;
        next = index + 1;
    }
    (!text.is_empty()).then_some(granted)
}

/// A FHIR resource type name: an ASCII capital followed by ASCII letters or digits.
fn is_resource_type(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && name.len() <= 64
}

/// The scope text for error messages, bounded and free of control characters.
fn printable(text: &str) -> String {
    text.chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
#[path = "scopes_tests.rs"]
mod tests;
