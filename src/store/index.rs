//! Rewriting the search index rows and consent facts of stored resources (`$reindex`).

use super::exec::{Exec, SqlxExec};
use super::{StoreError, WriteOp, plan};

impl super::Store {
    /// Rewrite the index rows of existing resources (`$reindex`), without new versions, in one transaction.
    pub async fn replace_index(&self, items: &[WriteOp]) -> Result<(), StoreError> {
        let stmts: Vec<plan::Stmt<'_>> = items
            .iter()
            .flat_map(|op| plan::reindex(self.dialect, op))
            .collect();
        let mut e = SqlxExec::acquire(&self.write).await?;
        e.begin().await?;
        let applied = e.run(&stmts).await;
        super::group::finish(&mut e, applied).await
    }
}
