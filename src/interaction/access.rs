//! The requester's visibility applied to single-resource reads: read, vread, history, and the
//! current version a write starts from. Searches carry the same scope into their SQL (`page::plan`).

use super::Context;
use crate::consent::AccessScope;
use crate::error::Result;
use crate::search::compile::Compiler;
use crate::store::{SqlQuery, StoredVersion};

impl Context {
    /// This context for a requester who sees `scope`.
    pub fn with_access(&self, scope: AccessScope) -> Self {
        Self {
            access: std::sync::Arc::new(scope),
            ..self.clone()
        }
    }

    /// This context outside a transaction's planning.
    pub fn outside_transaction(mut self) -> Self {
        self.in_transaction = false;
        self
    }

    /// The visibility condition on the SQL expressions `t` (type) and `id`, or `None` when the
    /// requester sees everything. `ty` specialises it to a known type.
    pub fn visibility(&self, ty: Option<&str>, t: &str, id: &str) -> Option<SqlQuery> {
        if *self.access == AccessScope::All {
            return None;
        }
        let mut c = Compiler::with_access(&self.base_url, (*self.access).clone());
        let cond = crate::search::access::predicate(&mut c, &self.access, ty, t, id);
        c.q.sql = cond;
        Some(c.q)
    }

    /// True if `ty/id` (live, deleted or unknown) is visible to the requester.
    pub async fn is_visible(&self, ty: &str, id: &str) -> Result<bool> {
        if ty == crate::search::trail::TYPE {
            return Ok(self.current(ty, id).await?.is_some());
        }
        let Some(cond) = self.visibility(Some(ty), "r.res_type", "r.res_id") else {
            return Ok(true);
        };
        let mut q = SqlQuery::default();
        let (a, b) = (q.text(ty), q.text(id));
        let cond = q.splice(&cond);
        q.sql = format!(
            "SELECT COUNT(*) FROM resources r WHERE r.res_type = {a} AND r.res_id = {b} AND {cond}"
        );
        Ok(self.store.count(&q).await? > 0)
    }

    /// The current version of `ty/id` (possibly a deletion) if it exists for the requester; a
    /// hidden resource is `None`, exactly like a missing one.
    pub async fn current(&self, ty: &str, id: &str) -> Result<Option<StoredVersion>> {
        Ok(match self.visibility(Some(ty), "r.res_type", "r.res_id") {
            None => self.store.current(ty, id).await?,
            Some(cond) => self.store.current_where(ty, id, &cond).await?,
        })
    }

    /// Version `version` of `ty/id` if it exists for the requester.
    pub async fn version(&self, ty: &str, id: &str, version: i64) -> Result<Option<StoredVersion>> {
        match self.store.version(ty, id, version).await? {
            Some(v) if self.is_visible(ty, id).await? => Ok(Some(v)),
            _ => Ok(None),
        }
    }
}
