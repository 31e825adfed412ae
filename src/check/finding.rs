//! A [`Finding`]: one way a response broke a rule, as data (never a panic), and the
//! [`CheckContext`] the pure checks read (ids the server assigned, the case's namespace, the
//! tolerances of the profile).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalogue::{info, Severity};
use crate::driver::IdMap;
use crate::scim::schema::AttributePolicy;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The stable check id, e.g. `filter.username-case-insensitive`.
    pub check_id: String,
    pub severity: Severity,
    /// The rule: RFC section or Okta rule.
    pub citation: String,
    /// The index of the op (in the reported sequence) whose response broke the rule.
    pub op_index: usize,
    /// The index of the HTTP exchange within that op.
    pub call_index: usize,
    pub expected: String,
    pub actual: String,
    /// What the finding is about, when the check knows: an attribute (`displayName`), a filter
    /// operator (`userName co`), an endpoint. Part of the defect's identity (see [`crate::check::defect_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl Finding {
    /// A finding of check `check_id` with its catalogue severity and citation.
    pub fn new(check_id: &str, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        let (severity, citation) = match info(check_id) {
            Some(check) => (check.severity, check.citation.to_string()),
            None => (Severity::Error, String::new()),
        };
        Self {
            check_id: check_id.to_string(),
            severity,
            citation,
            op_index: 0,
            call_index: 0,
            expected: expected.into(),
            actual: actual.into(),
            subject: None,
        }
    }

    /// The same finding, about `subject` (an attribute, a filter operator, an endpoint).
    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The same finding attributed to exchange `call_index`.
    pub fn at_call(mut self, call_index: usize) -> Self {
        self.call_index = call_index;
        self
    }
}

/// The tolerances of a profile that change what the checks accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRules {
    /// Accept `application/json` as a response media type (Okta does).
    pub accept_plain_json: bool,
    /// The latency budget per response in milliseconds, if judged.
    pub latency_budget_ms: Option<u64>,
    /// Which tracked attributes are judged in responses (the server's `/Schemas` over RFC 7643).
    #[serde(default)]
    pub attributes: AttributePolicy,
}

impl Default for CheckRules {
    fn default() -> Self {
        Self {
            accept_plain_json: true,
            latency_budget_ms: Some(600),
            attributes: AttributePolicy::default(),
        }
    }
}

/// What the checks may consult besides the model's expectation and the exchanges.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    /// Handle → id, as known before the op ran (creates add theirs after checking).
    pub ids: &'a IdMap,
    /// The prefix of every name in the case's namespace.
    pub namespace_prefix: &'a str,
    /// Ids of users the model holds as deactivated (a 404 for them breaks Okta, which deactivates and never deletes).
    pub deactivated_ids: &'a [String],
    /// For each live user of the case (by id), the ids of the case's groups it belongs to.
    pub memberships: &'a [(String, Vec<String>)],
    pub rules: CheckRules,
    /// The profile's levels and allowed deviations: a race's orders are judged by them too.
    pub grading: &'a Grading,
}

/// A profile's judgement of check ids: severity overrides and allowed deviations (not reported).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grading {
    pub severities: BTreeMap<String, Severity>,
    pub allowed: BTreeSet<String>,
}

/// No overrides: every check at its catalogue level, nothing allowed.
pub static UNGRADED: Grading = Grading {
    severities: BTreeMap::new(),
    allowed: BTreeSet::new(),
};

impl Grading {
    /// The findings with the profile's severities, without the allowed deviations.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|finding| !self.allowed.contains(&finding.check_id))
            .map(|mut finding| {
                if let Some(severity) = self.severities.get(&finding.check_id) {
                    finding.severity = *severity;
                }
                finding
            })
            .collect()
    }
}

impl Finding {
    /// Whether the finding fails a case (errors and warnings do; notes are only reported).
    pub fn is_blocking(&self) -> bool {
        self.severity >= Severity::Warning
    }
}
