//! Loading the demo record: every `*.json` Bundle of a folder, run as transactions through [`execute`],
//! once, when the database holds no Patient yet.

use std::path::Path;

use super::{Context, Interaction, PreferReturn, execute};
use crate::error::{Error, Result};
use crate::store::HistoryQuery;

/// Load the demo Bundles of `dir` unless the database already has a Patient.
pub async fn load_demo(ctx: &Context, dir: &Path) -> Result<()> {
    let probe = HistoryQuery {
        res_type: Some("Patient".into()),
        limit: 1,
        ..HistoryQuery::default()
    };
    if !ctx.store.history(&probe).await?.is_empty() {
        tracing::info!("demo data already present");
        return Ok(());
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::invalid(format!("cannot read demo folder {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let text =
            std::fs::read(&file).map_err(|e| Error::invalid(format!("{}: {e}", file.display())))?;
        let body = serde_json::from_slice(&text)
            .map_err(|e| Error::invalid(format!("{}: {e}", file.display())))?;
        execute(
            ctx,
            &Interaction::Bundle {
                body,
                ret: PreferReturn::Minimal,
            },
        )
        .await?;
        tracing::info!(file = %file.display(), "demo bundle loaded");
    }
    Ok(())
}
