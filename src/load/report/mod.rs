//! A load run's outputs in `--report DIR`: `report.json` (versioned, schema checked in),
//! one HdrHistogram interval log per operation (`<op>.hlog`), and a self-contained `report.html`
//! with its charts; and the text summary printed on stdout.

pub mod charts;
pub mod hlog;
pub mod html;
pub mod merge;
pub mod model;
pub mod text;
pub mod write;

pub use merge::merge_reports;
pub use model::{
    build_report, FailureSample, FindingGroup, IntegrityFinding, IntegritySummary, Interruption,
    LoadReport, MergedWorker, RunFacts,
};
pub use write::{write_report, HTML_FILE, JSON_FILE};
