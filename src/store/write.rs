//! The one write path: an atomic commit of a list of [`WriteOp`]s.

use super::{Store, StoreError, WriteOp};

impl Store {
    /// Apply every op in one database transaction; the ops come back once they are durable.
    ///
    /// Fails with [`StoreError::Conflict`] (and writes nothing) when a resource's current version is not
    /// `op.version - 1`, or when a concurrent writer got there first.
    ///
    /// Concurrent commits share one database transaction and one fsync (see `group.rs`), each
    /// in its own savepoint; a commit handed to the writer completes even if its caller goes away.
    pub async fn commit(&self, ops: Vec<WriteOp>) -> Result<Vec<WriteOp>, StoreError> {
        self.grouped(ops, Vec::new()).await
    }

    /// Counts `n` committed versions (for the planner statistics refresh).
    pub(super) fn wrote(&self, n: usize) {
        if n > 0 {
            let writer = self.writer.as_ref();
            self.stats
                .wrote(n as u64, &self.write, writer, self.dialect);
        }
    }
}
