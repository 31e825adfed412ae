//! What makes a finding, as checks a repro script can run: the status, headers and JSON fields in
//! which the recorded response differs from what a correct server answers to the same requests
//! (a clean run of the reference server, in the same namespace). Pure: it compares two recorded
//! cases and never runs anything.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::check::Finding;
use crate::driver::Call;
use crate::fuzz::{CaseOutcome, Step};

/// At most this many witnesses per finding (all must hold for the defect to reproduce).
const MAX_WITNESSES: usize = 4;

/// Keys whose values differ between any two correct servers (ids, timestamps, versions, free text).
const VOLATILE_KEYS: &[&str] = &["id", "meta", "$ref", "location", "detail", "version"];

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// What a correct server answers at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldTest {
    /// This scalar value.
    Value(Value),
    /// A value of this JSON type (`null` for absent).
    Type(&'static str),
    /// An array of this length.
    Length(usize),
}

/// One difference between the recorded response and a correct one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessKind {
    /// The status is none of `acceptable` (the recording answered `recorded`).
    Status { acceptable: Vec<u16>, recorded: u16 },
    /// The statuses of the concurrent requests of a race, sorted, are not `correct`.
    RaceStatuses {
        correct: Vec<u16>,
        recorded: Vec<u16>,
    },
    /// The response carries an id other than the one the request named.
    IdChanged { requested: String, answered: String },
    /// `inner` holds for one of the `branches` concurrent requests that answered `status`.
    InRaceBranch {
        status: u16,
        branches: usize,
        inner: Box<WitnessKind>,
    },
    /// The media type is none of `acceptable`.
    MediaType {
        acceptable: Vec<String>,
        recorded: String,
    },
    /// The header is missing.
    HeaderMissing { name: String },
    /// The body is empty or not JSON.
    NotJson,
    /// The exchange answered the recorded status again (no clean run to compare with, or it
    /// answered the same: the recording's status is all there is to go by).
    SameStatus { recorded: u16 },
    /// The response took longer than the budget.
    Slower { budget_ms: u64, recorded_ms: u64 },
    /// The JSON value at `path` is not what the test says.
    Field {
        path: Vec<PathStep>,
        correct: FieldTest,
        recorded: Value,
    },
}

/// A difference at one exchange of the case (`op_index`, `call_index` into the recorded steps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub op_index: usize,
    pub call_index: usize,
    pub kind: WitnessKind,
}

/// The witnesses of `finding` in `recorded`, against `clean` (the same ops on a correct server,
/// if a clean run was made). Without one, or when no exchange differs, the finding's exchange
/// answering the recorded status again is all there is to go by.
pub fn witnesses(
    finding: &Finding,
    recorded: &CaseOutcome,
    clean: Option<&CaseOutcome>,
) -> Vec<Witness> {
    let found = clean
        .map(|clean| compare(finding, recorded, clean))
        .unwrap_or_default();
    if !found.is_empty() {
        return found;
    }
    let call = recorded
        .steps
        .get(finding.op_index)
        .and_then(|step| step.calls.get(finding.call_index));
    call.map(|call| Witness {
        op_index: finding.op_index,
        call_index: finding.call_index,
        kind: WitnessKind::SameStatus {
            recorded: call.response.status,
        },
    })
    .into_iter()
    .collect()
}

fn compare(finding: &Finding, recorded: &CaseOutcome, clean: &CaseOutcome) -> Vec<Witness> {
    if let Some(witness) = id_changed(finding, recorded) {
        return vec![witness];
    }
    let ids = server_ids(recorded)
        .union(&server_ids(clean))
        .cloned()
        .collect();
    let latency = finding.check_id.starts_with("latency.");
    for (op_index, call_index) in candidates(finding, recorded) {
        let Some(step) = recorded.steps.get(op_index) else {
            continue;
        };
        let (Some(bad), Some(good)) = (
            step.calls.get(call_index),
            clean
                .steps
                .get(op_index)
                .and_then(|s| s.calls.get(call_index)),
        ) else {
            continue;
        };
        let branches = step
            .op
            .race_branches()
            .map_or(0, |branches| branches.len())
            .min(step.calls.len());
        let primary = call_index == 0 && branches == 0;
        let kinds = if latency {
            slower(bad, finding).into_iter().collect()
        } else if call_index < branches {
            // Which concurrent request wins is the server's choice: only their statuses together
            // say something.
            if call_index > 0 {
                continue;
            }
            let good_step = &clean.steps[op_index];
            let good = &good_step.calls[..branches.min(good_step.calls.len())];
            race_statuses(&step.calls[..branches], good)
                .map(|kind| vec![kind])
                .unwrap_or_else(|| race_branches(step, &step.calls[..branches], good, &ids))
        } else {
            differences(step, primary, bad, good, &ids)
        };
        if !kinds.is_empty() {
            return kinds
                .into_iter()
                .take(MAX_WITNESSES)
                .map(|kind| Witness {
                    op_index,
                    call_index,
                    kind,
                })
                .collect();
        }
    }
    Vec::new()
}

/// The exchanges to compare, most telling first: the finding's own; in a race the read after the
/// concurrent requests (their order is the server's choice); then the rest of its op, then the
/// ops before it, latest first.
fn candidates(finding: &Finding, recorded: &CaseOutcome) -> Vec<(usize, usize)> {
    let mut order = Vec::new();
    let op = finding.op_index;
    if let Some(step) = recorded.steps.get(op) {
        let count = step.calls.len();
        if step.op.race_branches().is_some() && count > 0 {
            order.push((op, count - 1));
        }
        order.push((op, finding.call_index));
        order.extend((0..count).rev().map(|call| (op, call)));
    }
    for earlier in (0..op.min(recorded.steps.len())).rev() {
        let count = recorded.steps[earlier].calls.len();
        order.extend((0..count).rev().map(|call| (earlier, call)));
    }
    let mut seen = BTreeSet::new();
    order.retain(|pair| seen.insert(*pair));
    order
}

/// Every id any response of the case carried (never part of a witness: each server assigns its own).
fn server_ids(outcome: &CaseOutcome) -> BTreeSet<String> {
    fn collect(value: &Value, ids: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    match inner {
                        Value::String(id) if key == "id" => {
                            ids.insert(id.clone());
                        }
                        _ => collect(inner, ids),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect(item, ids)),
            _ => {}
        }
    }
    let mut ids = BTreeSet::new();
    for step in &outcome.steps {
        for call in step.calls.iter().chain(&step.read_back) {
            if let Some(json) = call.response.json() {
                collect(&json, &mut ids);
            }
        }
    }
    ids
}

/// `resource.id-stable`: the response to a request on `/Users/{id}` carries another id. Ids
/// differ between servers, so this is the one witness that compares the id itself.
fn id_changed(finding: &Finding, recorded: &CaseOutcome) -> Option<Witness> {
    if finding.check_id != "resource.id-stable" {
        return None;
    }
    let call = recorded
        .steps
        .get(finding.op_index)?
        .calls
        .get(finding.call_index)?;
    let path = call.request.url.split('?').next()?;
    let requested = path.rsplit('/').next()?.to_string();
    let answered = call.response.json()?.get("id")?.as_str()?.to_string();
    (answered != requested && !requested.is_empty()).then(|| Witness {
        op_index: finding.op_index,
        call_index: finding.call_index,
        kind: WitnessKind::IdChanged {
            requested,
            answered,
        },
    })
}

/// The statuses of concurrent requests, sorted, when they differ from a correct server's.
fn race_statuses(bad: &[Call], good: &[Call]) -> Option<WitnessKind> {
    let sorted = |calls: &[Call]| {
        let mut statuses: Vec<u16> = calls.iter().map(|call| call.response.status).collect();
        statuses.sort_unstable();
        statuses
    };
    let (recorded, correct) = (sorted(bad), sorted(good));
    (recorded != correct).then_some(WitnessKind::RaceStatuses { correct, recorded })
}

/// How each concurrent request differs from a correct server's request that answered the same
/// status (the statuses together being the same).
fn race_branches(
    step: &Step,
    bad: &[Call],
    good: &[Call],
    ids: &BTreeSet<String>,
) -> Vec<WitnessKind> {
    let mut unused: Vec<&Call> = good.iter().collect();
    let mut kinds = Vec::new();
    for call in bad {
        let status = call.response.status;
        let Some(at) = unused.iter().position(|g| g.response.status == status) else {
            continue;
        };
        let partner = unused.remove(at);
        for inner in differences(step, false, call, partner, ids) {
            let kind = WitnessKind::InRaceBranch {
                status,
                branches: bad.len(),
                inner: Box::new(inner),
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

fn slower(bad: &Call, finding: &Finding) -> Option<WitnessKind> {
    let budget_ms = finding
        .expected
        .split(|c: char| !c.is_ascii_digit())
        .find_map(|n| n.parse::<u64>().ok())
        .unwrap_or(600);
    let recorded_ms = bad.timings.total_us / 1000;
    (recorded_ms > budget_ms).then_some(WitnessKind::Slower {
        budget_ms,
        recorded_ms,
    })
}

/// How `bad` differs from `good`: the status alone when it differs (the body of another status
/// says nothing more), else the headers and the JSON fields.
fn differences(
    step: &Step,
    primary: bool,
    bad: &Call,
    good: &Call,
    ids: &BTreeSet<String>,
) -> Vec<WitnessKind> {
    let (got, want) = (bad.response.status, good.response.status);
    if got != want {
        let mut acceptable = vec![want];
        if primary {
            acceptable.extend(step.expected.statuses().iter().copied());
        }
        acceptable.sort_unstable();
        acceptable.dedup();
        if !acceptable.contains(&got) {
            return vec![WitnessKind::Status {
                acceptable,
                recorded: got,
            }];
        }
    }
    let mut kinds = Vec::new();
    if let (Some(bad_type), Some(good_type)) =
        (bad.response.media_type(), good.response.media_type())
    {
        if bad_type != good_type && bad_type != "application/json" {
            kinds.push(WitnessKind::MediaType {
                acceptable: vec![good_type, "application/json".to_string()],
                recorded: bad_type,
            });
        }
    }
    if good.response.header("location").is_some() && bad.response.header("location").is_none() {
        kinds.push(WitnessKind::HeaderMissing {
            name: "Location".into(),
        });
    }
    match (bad.response.json(), good.response.json()) {
        (None, Some(_)) => kinds.push(WitnessKind::NotJson),
        (Some(bad_json), Some(good_json)) => {
            let mut fields = Vec::new();
            diff(&mut Vec::new(), &bad_json, &good_json, ids, &mut fields);
            kinds.extend(fields);
        }
        _ => {}
    }
    kinds
}

/// The JSON type name jq and the script use.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn field(path: &[PathStep], correct: FieldTest, recorded: &Value) -> WitnessKind {
    WitnessKind::Field {
        path: path.to_vec(),
        correct,
        recorded: recorded.clone(),
    }
}

/// The shallowest places where `bad` differs from `good`, ids and volatile keys left out.
fn diff(
    path: &mut Vec<PathStep>,
    bad: &Value,
    good: &Value,
    ids: &BTreeSet<String>,
    out: &mut Vec<WitnessKind>,
) {
    match (bad, good) {
        (Value::Object(bad_map), Value::Object(good_map)) => {
            let keys: BTreeSet<&String> = bad_map.keys().chain(good_map.keys()).collect();
            for key in keys {
                if VOLATILE_KEYS.iter().any(|v| key.eq_ignore_ascii_case(v)) {
                    continue;
                }
                path.push(PathStep::Key(key.clone()));
                match (bad_map.get(key), good_map.get(key)) {
                    (Some(b), Some(g)) => diff(path, b, g, ids, out),
                    (None, Some(g)) => {
                        out.push(field(path, FieldTest::Type(type_name(g)), &Value::Null))
                    }
                    (Some(b), None) => out.push(field(path, FieldTest::Type("null"), b)),
                    (None, None) => {}
                }
                path.pop();
            }
        }
        (Value::Array(bad_items), Value::Array(good_items)) => {
            if bad_items.len() != good_items.len() {
                out.push(field(path, FieldTest::Length(good_items.len()), bad));
                return;
            }
            for (index, (b, g)) in bad_items.iter().zip(good_items).enumerate() {
                path.push(PathStep::Index(index));
                diff(path, b, g, ids, out);
                path.pop();
            }
        }
        (Value::String(b), Value::String(g)) if ids.contains(b) || ids.contains(g) => {}
        (b, g) if b == g => {}
        (b, g) if type_name(b) == type_name(g) => {
            out.push(field(path, FieldTest::Value(g.clone()), b))
        }
        (b, g) => out.push(field(path, FieldTest::Type(type_name(g)), b)),
    }
}

/// A path as text: `Resources[0].userName`.
pub fn path_text(path: &[PathStep]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            PathStep::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            PathStep::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    if text.is_empty() {
        "the body".into()
    } else {
        text
    }
}

impl WitnessKind {
    /// What a correct server answers and what the recording shows, in words.
    pub fn describe(&self) -> String {
        match self {
            WitnessKind::Status {
                acceptable,
                recorded,
            } => format!("HTTP status {} (recorded {recorded})", or_list(acceptable)),
            WitnessKind::RaceStatuses { correct, recorded } => format!(
                "the concurrent requests answered {} in some order (recorded {})",
                and_list(correct),
                and_list(recorded)
            ),
            WitnessKind::IdChanged { .. } => {
                "the id the request named, unchanged (recorded another id)".into()
            }
            WitnessKind::InRaceBranch { status, inner, .. } => {
                format!(
                    "to the concurrent request answered {status}: {}",
                    inner.describe()
                )
            }
            WitnessKind::SameStatus { recorded } => {
                format!("an HTTP status other than {recorded}, the recorded one")
            }
            WitnessKind::MediaType {
                acceptable,
                recorded,
            } => format!("Content-Type {} (recorded {recorded})", or_list(acceptable)),
            WitnessKind::HeaderMissing { name } => format!("a {name} header (recorded none)"),
            WitnessKind::NotJson => {
                "a JSON body (recorded none, or one that does not parse)".into()
            }
            WitnessKind::Slower {
                budget_ms,
                recorded_ms,
            } => format!("an answer within {budget_ms} ms (recorded {recorded_ms} ms)"),
            WitnessKind::Field {
                path,
                correct,
                recorded,
            } => {
                let want = match correct {
                    FieldTest::Value(value) => value.to_string(),
                    FieldTest::Type("null") => "absent".into(),
                    FieldTest::Type(kind) => format!("a JSON {kind}"),
                    FieldTest::Length(n) => format!("{n} item(s)"),
                };
                let got = match (correct, recorded) {
                    (FieldTest::Length(_), Value::Array(items)) => {
                        format!("{} item(s)", items.len())
                    }
                    (_, Value::Null) => "absent".into(),
                    (FieldTest::Type(_), other) => format!("a JSON {}", type_name(other)),
                    (_, other) => other.to_string(),
                };
                format!("{} = {want} (recorded {got})", path_text(path))
            }
        }
    }
}

fn and_list(items: &[u16]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn or_list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(bad: Value, good: Value) -> Vec<String> {
        let mut out = Vec::new();
        diff(&mut Vec::new(), &bad, &good, &BTreeSet::new(), &mut out);
        out.iter().map(WitnessKind::describe).collect()
    }

    #[test]
    fn the_shallowest_differences_are_witnesses_and_volatile_keys_are_not() {
        let bad = json!({"totalResults": 0, "Resources": [], "meta": {"created": "x"}, "id": "1"});
        let good = json!({"totalResults": 1, "Resources": [{"userName": "a"}], "meta": {"created": "y"}, "id": "2"});
        assert_eq!(
            fields(bad, good),
            vec![
                "Resources = 1 item(s) (recorded 0 item(s))".to_string(),
                "totalResults = 1 (recorded 0)".to_string()
            ]
        );
    }

    #[test]
    fn a_type_or_a_missing_key_is_told_as_such() {
        let bad = json!({"status": 404, "password": "p"});
        let good = json!({"status": "404", "schemas": ["urn"]});
        assert_eq!(
            fields(bad, good),
            vec![
                "password = absent (recorded a JSON string)".to_string(),
                "schemas = a JSON array (recorded absent)".to_string(),
                "status = a JSON string (recorded a JSON number)".to_string()
            ]
        );
    }
}
