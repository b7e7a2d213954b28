//! The partial indexes of migration 0010 serve the queries that look rows up through them.

use super::Store;
use crate::search::compile::Compiler;
use crate::search::predicate::tokens;
use crate::search::query::Modifier;

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/carnet.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn a_system_only_token_search_reads_the_index_of_rows_with_a_system() {
    let (_dir, store) = store().await;
    let mut c = Compiler::new("http://x/fhir");
    let values = ["urn:oid:1.2.250.1.213.1.4.10|".to_owned()];
    let cond = tokens(&mut c, "t", &values, &Modifier::None).unwrap();
    // The plan, not the rows: the system's placeholder as a literal.
    let cond = cond.replace("$1", "'urn:oid:1.2.250.1.213.1.4.10'");
    let sql = format!(
        "SELECT t.res_id FROM idx_token t WHERE t.res_type = 'Patient' \
         AND t.param = 'identifier' AND {cond}"
    );
    let plan = store.inline.clone().unwrap().plan_of(&sql).unwrap();
    assert!(plan.contains("idx_token_system"), "{plan}");
}

#[tokio::test]
async fn a_content_lookup_reads_the_index_of_binary_facts() {
    let (_dir, store) = store().await;
    let sql = "SELECT 1 FROM access_facts b WHERE b.kind = 'binary' AND b.value = 'bin1' \
               AND b.res_type = 'DocumentReference'";
    let plan = store.inline.clone().unwrap().plan_of(sql).unwrap();
    assert!(plan.contains("access_facts_binary"), "{plan}");
}
