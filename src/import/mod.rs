//! Reading files for `bron import` and writing them for `bron export`.
//!
//! Two formats are read: Bron's own JSON Lines (one item per line, see
//! `docs/import-format.md`) and the Rijksoverheid question-and-answer records
//! as their open-data API publishes them (VAC). Both become
//! [`ImportRecord`]s that the hub writes in one transaction. This module
//! parses and maps; it never writes to the store itself.

mod html_md;
mod jsonl;
mod vac;

use std::path::{Path, PathBuf};

pub use html_md::html_to_markdown;
pub use jsonl::export_lines;

use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::hub::{ImportRecord, ImportReport, Viewer};
use crate::model::ContentModel;

/// Options for a foreign source: in which status new items land.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Publish VAC questions at once instead of leaving them as drafts.
    pub publish_foreign: bool,
}

/// The files an import path stands for: a file, or the `*.jsonl` files of a
/// directory in name order.
pub fn files_of(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::BadInput(format!("cannot read {}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("jsonl"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::BadInput(format!(
                "{} holds no .jsonl files",
                path.display()
            )));
        }
        Ok(files)
    } else if path.is_file() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(Error::BadInput(format!(
            "{} does not exist",
            path.display()
        )))
    }
}

/// Parses the text of one file into records, choosing the format by its
/// first non-empty line.
pub fn parse_text(
    model: &ContentModel,
    file: &str,
    text: &str,
    options: ImportOptions,
) -> Result<Vec<ImportRecord>> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if vac::looks_like_vac(first) {
        vac::parse(model, file, text, options)
    } else {
        jsonl::parse(model, file, text)
    }
}

/// Reads and imports everything under `path` in one transaction.
pub async fn import_path(
    hub: &Hub,
    viewer: &Viewer,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportReport> {
    let mut records = Vec::new();
    for file in files_of(path)? {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Error::BadInput(format!("cannot read {name}: {e}")))?;
        records.extend(parse_text(hub.model(), &name, &text, options)?);
    }
    hub.import(viewer, records).await
}
