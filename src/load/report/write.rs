//! Writes a run's three report kinds into a directory: `report.json`, `<op>.hlog`, `report.html`.

use std::path::{Path, PathBuf};

use super::hlog::write_hlogs;
use super::html::render_html;
use super::model::LoadReport;
use crate::load::measure::Measurements;
use crate::report::redact::redact;

/// The JSON report's file name.
pub const JSON_FILE: &str = "report.json";
/// The HTML report's file name.
pub const HTML_FILE: &str = "report.html";

/// Creates `dir` if needed and writes every report file; returns the paths written.
pub fn write_report(
    dir: &Path,
    report: &LoadReport,
    measurements: &Measurements,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|err| {
        format!(
            "could not create the report directory {}: {err}",
            dir.display()
        )
    })?;
    let mut written = Vec::new();
    let json = serde_json::to_string_pretty(report)
        .map_err(|err| format!("could not serialise the report: {err}"))?;
    let json_path = dir.join(JSON_FILE);
    std::fs::write(&json_path, redact(&json) + "\n")
        .map_err(|err| format!("could not write {}: {err}", json_path.display()))?;
    written.push(json_path);
    written.extend(write_hlogs(dir, measurements)?);
    let html_path = dir.join(HTML_FILE);
    std::fs::write(&html_path, redact(&render_html(report, measurements)))
        .map_err(|err| format!("could not write {}: {err}", html_path.display()))?;
    written.push(html_path);
    Ok(written)
}
