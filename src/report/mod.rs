//! Output formats, each consuming a plain result type: JUnit XML, JSON, HTML, text. Never runs anything.

pub mod conformance_html;
pub mod conformance_json;
pub mod curl;
pub mod curl_template;
pub mod curl_verdict;
pub mod diff;
pub mod fuzz_html;
pub mod fuzz_json;
pub mod fuzz_junit;
pub mod fuzz_text;
pub mod grouping;
pub mod headline;
pub mod impact;
pub mod junit;
pub mod redact;
pub mod steps;
pub mod terminal;
pub mod timeline;
pub mod witness;
