//! Probes of the optional capabilities a server advertises in `/ServiceProviderConfig` that no op
//! of the search uses: sorting (RFC 7644 §3.4.2.3) and bulk (§3.7). Each runs once, after
//! discovery and only when advertised, in the run's namespace: it creates what it needs, judges
//! the answer, and removes what it created (by the run's cleanup mode, even after a Ctrl-C). An advertised capability
//! that does not do what the RFC says is `discovery.capability-works` about that capability (so
//! sort and bulk are two distinct defects). A 5xx is retried once, and a bulk operation answered
//! 5xx is not judged: a failing server is the search's to report (`status.no-5xx`). A probe whose setup the server refuses (a create
//! answered 4xx) judges nothing: that refusal is the search's to report.

use serde_json::{json, Value};
use tokio::runtime::Runtime;

use super::discovery::{grade, with_required, Discovery, DiscoveryFinding};
use crate::check::{catalogue, Finding, Grading};
use crate::driver::{
    cleanup, encode_component, Body, Call, CleanupMode, Driver, IdMap, Method, RequestSpec,
    ResourceKind, TransportError,
};
use crate::scim::schema::Attribute;
use crate::scim::urn;

/// What the probes need to know about the run.
pub struct ProbeContext<'a> {
    pub driver: &'a Driver,
    pub runtime: &'a Runtime,
    /// The run's namespace prefix: probe names start with it, so the leftover scan sees them.
    pub run_prefix: &'a str,
    /// Attributes the server requires beyond RFC 7643 (added to creates).
    pub required: &'a [(String, Attribute)],
    /// `userName sw` works (else the sort probe lists with `eq … or …`).
    pub sw_supported: bool,
    /// The profile exercises groups (the bulk probe then creates one referencing its user).
    pub groups: bool,
    pub cleanup: CleanupMode,
    pub grading: &'a Grading,
}

/// The user names of the sort probe in creation order: caseless ascending order is alpha, Bravo,
/// Charlie; code-point order (a case-sensitive sort) is Bravo, Charlie, alpha.
const SORT_WORDS: [&str; 3] = ["Bravo", "alpha", "Charlie"];

/// Runs the probes `discovery` calls for; their findings, graded by the profile.
pub fn probe_capabilities(
    context: &ProbeContext<'_>,
    discovery: &Discovery,
) -> Result<Vec<DiscoveryFinding>, TransportError> {
    let mut ids = IdMap::new();
    let probed = context.runtime.block_on(async {
        let mut raw = Vec::new();
        if discovery.sort == Some(true) {
            raw.extend(probe_sort(context, &mut ids).await?);
        }
        if discovery.bulk == Some(true) {
            raw.extend(probe_bulk(context, &mut ids).await?);
        }
        Ok::<_, TransportError>(raw)
    });
    // Whatever stopped the probes (Ctrl-C included), what they created goes.
    let driver = context.driver.uninterruptible();
    let cleaned = context
        .runtime
        .block_on(cleanup(&driver, &ids, context.cleanup));
    let raw = probed?;
    cleaned?;
    Ok(grade(context.grading, raw))
}

fn capability_finding(
    capability: &str,
    expected: String,
    actual: String,
    call: Call,
) -> DiscoveryFinding {
    DiscoveryFinding {
        finding: Finding::new(catalogue::CAPABILITY_ADVERTISED, expected, actual).about(capability),
        exchange: Some(call),
    }
}

/// A plain user in the probe's namespace, with the attributes the server requires.
fn user_spec(context: &ProbeContext<'_>, tag: &str, word: &str) -> RequestSpec {
    let body = json!({
        "schemas": [urn::USER],
        "userName": format!("{tag}.{word}@example.com"),
        "name": {"givenName": word, "familyName": "Probe"},
        "displayName": format!("{word} Probe"),
        "emails": [{"value": format!("{tag}.{word}@example.com"), "type": "work", "primary": true}],
        "active": true,
    });
    with_required(
        RequestSpec::with_json(Method::Post, "/Users", body),
        context.required,
        tag,
    )
}

/// Sort: three users listed by `userName` ascending, then descending. A control listing without
/// `sortBy` must list exactly the three first (else paging or filtering is broken, which the
/// search reports, and the probe judges nothing).
async fn probe_sort(
    context: &ProbeContext<'_>,
    ids: &mut IdMap,
) -> Result<Option<DiscoveryFinding>, TransportError> {
    let tag = format!("{}sort", context.run_prefix);
    let mut names = Vec::new();
    for word in SORT_WORDS {
        if !create_probe_user(context, &tag, word, ids).await? {
            return Ok(None);
        }
        names.push(format!("{tag}.{word}@example.com"));
    }
    let control = context
        .driver
        .send(&RequestSpec::get(list_path(context, &tag, &names, None)))
        .await?;
    let mut finding = None;
    if listed_names(&control, &names).len() == names.len() {
        for descending in [false, true] {
            let path = list_path(context, &tag, &names, Some(descending));
            let call = send_retrying_5xx(context.driver, &RequestSpec::get(path)).await?;
            finding = judge_sort(&call, &names, descending);
            if finding.is_some() {
                break;
            }
        }
    }
    Ok(finding)
}

/// Creates probe user `word` and reads it back; whether both worked. What was created goes into
/// `ids`, even when the create's answer was lost (a 5xx after storing): such a user is found by
/// its exact userName so that cleanup removes it.
async fn create_probe_user(
    context: &ProbeContext<'_>,
    tag: &str,
    word: &str,
    ids: &mut IdMap,
) -> Result<bool, TransportError> {
    let call = context.driver.send(&user_spec(context, tag, word)).await?;
    if let Some(id) = created_id(&call) {
        ids.note_created(ResourceKind::User, id.clone());
        return readable(context, ResourceKind::User, &id).await;
    }
    let filter = format!("userName eq \"{tag}.{word}@example.com\"");
    let lookup = context
        .driver
        .send(&RequestSpec::get(format!(
            "/Users?filter={}",
            encode_component(&filter)
        )))
        .await?;
    let found = array_of(&lookup, "Resources");
    for id in found
        .iter()
        .filter_map(|user| user.get("id").and_then(Value::as_str))
    {
        ids.note_created(ResourceKind::User, id.to_string());
    }
    Ok(false)
}

/// Sends `spec`; a 5xx answer is retried once (a sporadic failure is the search's to report, not
/// the capability's).
async fn send_retrying_5xx(driver: &Driver, spec: &RequestSpec) -> Result<Call, TransportError> {
    let call = driver.send(spec).await?;
    if call.response.status < 500 {
        return Ok(call);
    }
    driver.send(spec).await
}

/// The listing of the probe's users: sorted by userName when `sort` says which way.
fn list_path(
    context: &ProbeContext<'_>,
    tag: &str,
    names: &[String],
    sort: Option<bool>,
) -> String {
    let filter = if context.sw_supported {
        format!("userName sw \"{tag}.\"")
    } else {
        names
            .iter()
            .map(|name| format!("userName eq \"{name}\""))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let sorting = match sort {
        None => String::new(),
        Some(false) => "&sortBy=userName&sortOrder=ascending".into(),
        Some(true) => "&sortBy=userName&sortOrder=descending".into(),
    };
    format!("/Users?filter={}{sorting}", encode_component(&filter))
}

/// The probe's user names a listing holds, in its order.
fn listed_names(call: &Call, names: &[String]) -> Vec<String> {
    if call.response.status != 200 {
        return Vec::new();
    }
    array_of(call, "Resources")
        .iter()
        .filter_map(|resource| resource.get("userName").and_then(Value::as_str))
        .filter(|name| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .map(str::to_string)
        .collect()
}

/// The finding for a sorted listing that is not in caseless `userName` order, if any.
fn judge_sort(call: &Call, names: &[String], descending: bool) -> Option<DiscoveryFinding> {
    let order = if descending {
        "descending"
    } else {
        "ascending"
    };
    let mut wanted: Vec<&String> = names.iter().collect();
    wanted.sort_by_key(|name| name.to_lowercase());
    if descending {
        wanted.reverse();
    }
    let word = |name: &str| {
        let local = name.split('@').next().unwrap_or(name);
        local.rsplit('.').next().unwrap_or(local).to_string()
    };
    let expected = format!(
        "`sort.supported: true` in /ServiceProviderConfig, so sortBy=userName&sortOrder={order} lists {} (caseless, RFC 7644 §3.4.2.3)",
        wanted.iter().map(|n| word(n)).collect::<Vec<_>>().join(", ")
    );
    if call.response.status != 200 {
        let actual = format!("the sorted list answered HTTP {}", call.response.status);
        return Some(capability_finding("sort", expected, actual, call.clone()));
    }
    let listed = listed_names(call, names);
    let in_order = listed.len() == wanted.len()
        && listed
            .iter()
            .zip(&wanted)
            .all(|(got, want)| got.eq_ignore_ascii_case(want));
    if in_order {
        return None;
    }
    let shown: Vec<String> = listed.iter().map(|n| word(n)).collect();
    let why = if listed.len() != wanted.len() {
        format!(" ({} of the {} users)", listed.len(), wanted.len())
    } else if listed == names {
        " (the creation order: sortBy ignored)".to_string()
    } else if is_code_point_order(&listed, descending) {
        " (a case-sensitive order)".to_string()
    } else {
        String::new()
    };
    let actual = format!("listed {}{why}", shown.join(", "));
    Some(capability_finding("sort", expected, actual, call.clone()))
}

fn is_code_point_order(listed: &[String], descending: bool) -> bool {
    listed.windows(2).all(|pair| {
        if descending {
            pair[0] >= pair[1]
        } else {
            pair[0] <= pair[1]
        }
    })
}

/// Bulk: a user and (with groups) a group whose member is that user by `bulkId`, in one request.
/// A control create of a user sent alone must work and read back first (else creates are broken,
/// which the search reports, and the probe judges nothing); a 5xx to the BulkRequest is retried
/// once; and a refused group counts only when its user was really stored.
async fn probe_bulk(
    context: &ProbeContext<'_>,
    ids: &mut IdMap,
) -> Result<Option<DiscoveryFinding>, TransportError> {
    let tag = format!("{}bulk", context.run_prefix);
    if !create_probe_user(context, &tag, "Control", ids).await? {
        return Ok(None);
    }
    bulk_finding(context, &tag, ids).await
}

/// Sends the BulkRequest and judges it; what it created goes into `ids`.
async fn bulk_finding(
    context: &ProbeContext<'_>,
    tag: &str,
    ids: &mut IdMap,
) -> Result<Option<DiscoveryFinding>, TransportError> {
    let user = user_spec(context, tag, "Bulk");
    let mut operations = vec![json!({"method": "POST", "path": "/Users", "bulkId": "user",
        "data": json_body(&user)})];
    if context.groups {
        let group = json!({"schemas": [urn::GROUP], "displayName": format!("{tag}.Group"),
            "members": [{"value": "bulkId:user"}]});
        let group = with_required(
            RequestSpec::with_json(Method::Post, "/Groups", group),
            context.required,
            tag,
        );
        operations.push(
            json!({"method": "POST", "path": "/Groups", "bulkId": "group",
            "data": json_body(&group)}),
        );
    }
    let request = json!({"schemas": [urn::BULK_REQUEST], "Operations": operations});
    let spec = RequestSpec::with_json(Method::Post, "/Bulk", request);
    let call = send_retrying_5xx(context.driver, &spec).await?;
    let outcome = BulkOutcome::read(&call);
    for (kind, id) in outcome.created() {
        ids.note_created(kind, id);
    }
    match outcome.problem(context.groups) {
        Some(problem) => {
            // A group refused because its user was never stored is a lost write, and an
            // operation answered 5xx a server failure like any other: the search's to report.
            let not_bulks = match (problem.operation, outcome.id_of(0)) {
                (Some(index), _) if outcome.failed_with_5xx(index) => true,
                (Some(1), Some(user_id)) => {
                    !readable(context, ResourceKind::User, &user_id).await?
                }
                _ => false,
            };
            Ok((!not_bulks).then(|| {
                capability_finding("bulk", problem.expected, problem.actual, call.clone())
            }))
        }
        None => check_bulk_group(context, &outcome).await,
    }
}

/// Whether `GET` of the resource answers 200 with a JSON body.
async fn readable(
    context: &ProbeContext<'_>,
    kind: ResourceKind,
    id: &str,
) -> Result<bool, TransportError> {
    let path = format!("{}/{}", kind.endpoint(), encode_component(id));
    let call = context.driver.send(&RequestSpec::get(path)).await?;
    Ok(call.response.status == 200 && call.response.json().is_some())
}

/// With both resources created, the group's members hold the user's id.
async fn check_bulk_group(
    context: &ProbeContext<'_>,
    outcome: &BulkOutcome,
) -> Result<Option<DiscoveryFinding>, TransportError> {
    let (Some(user_id), Some(group_id)) = (outcome.id_of(0), outcome.id_of(1)) else {
        return Ok(None);
    };
    let call = context
        .driver
        .send(&RequestSpec::get(format!(
            "/Groups/{}",
            encode_component(&group_id)
        )))
        .await?;
    let members: Vec<String> = array_of(&call, "members")
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_string))
        .collect();
    // An unreadable group (a 5xx, a broken body) is the search's to report.
    if call.response.status != 200 || call.response.json().is_none() || members == [user_id.clone()]
    {
        return Ok(None);
    }
    Ok(Some(capability_finding(
        "bulk",
        format!("the group created in the BulkRequest has the user `bulkId:user` stands for as its member ({user_id}, RFC 7644 §3.7.2)"),
        format!("GET of the group answered HTTP {} with members [{}]", call.response.status, members.join(", ")),
        call,
    )))
}

/// What is wrong with a BulkResponse: which operation entry (none: the whole answer), and the
/// finding's expected and actual.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BulkProblem {
    operation: Option<usize>,
    expected: String,
    actual: String,
}

/// The BulkResponse, read defensively.
struct BulkOutcome {
    status: u16,
    is_bulk_response: bool,
    /// (bulkId, status, location) per operation entry.
    operations: Vec<(String, String, Option<String>)>,
}

impl BulkOutcome {
    fn read(call: &Call) -> Self {
        let body = call.response.json().unwrap_or(Value::Null);
        let is_bulk_response = body["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn::BULK_RESPONSE)));
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let operations = body["Operations"]
            .as_array()
            .map(|ops| {
                ops.iter()
                    .take(16)
                    .map(|op| {
                        (
                            text(&op["bulkId"]).unwrap_or_default(),
                            text(&op["status"]).unwrap_or_default(),
                            text(&op["location"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            status: call.response.status,
            is_bulk_response,
            operations,
        }
    }

    /// The id operation `index` created (the last segment of its location), if it succeeded.
    fn id_of(&self, index: usize) -> Option<String> {
        let (_, status, location) = self.operations.get(index)?;
        if !status.starts_with('2') {
            return None;
        }
        let location = location.as_deref()?;
        let id = location.trim_end_matches('/').rsplit('/').next()?;
        (!id.is_empty()).then(|| id.to_string())
    }

    /// Whether operation `index` answered a 5xx.
    fn failed_with_5xx(&self, index: usize) -> bool {
        self.operations
            .get(index)
            .is_some_and(|(_, status, _)| status.starts_with('5'))
    }

    fn created(&self) -> Vec<(ResourceKind, String)> {
        [ResourceKind::User, ResourceKind::Group]
            .into_iter()
            .enumerate()
            .filter_map(|(index, kind)| self.id_of(index).map(|id| (kind, id)))
            .collect()
    }

    /// The first thing wrong with the answer, if any.
    fn problem(&self, groups: bool) -> Option<BulkProblem> {
        let advertised = "`bulk.supported: true` in /ServiceProviderConfig, so POST /Bulk";
        if self.status != 200 {
            return Some(BulkProblem {
                operation: None,
                expected: format!("{advertised} answers 200 with a BulkResponse (RFC 7644 §3.7.3)"),
                actual: format!("POST /Bulk answered HTTP {}", self.status),
            });
        }
        if !self.is_bulk_response || self.operations.len() != 1 + usize::from(groups) {
            return Some(BulkProblem {
                operation: None,
                expected: format!("{advertised} answers a BulkResponse with one entry per operation (RFC 7644 §3.7.3)"),
                actual: format!(
                    "{} with {} operation entries",
                    if self.is_bulk_response { "a BulkResponse" } else { "no BulkResponse schema" },
                    self.operations.len()
                ),
            });
        }
        let names = [
            "the user's POST",
            "the group's POST (its member is `bulkId:user`)",
        ];
        for (index, (_, status, location)) in self.operations.iter().enumerate() {
            // The status of a create is the search's to judge (201): any success will do here.
            if !status.starts_with('2') || location.is_none() {
                return Some(BulkProblem {
                    operation: Some(index),
                    expected: format!("{advertised} carries out {}: a 2xx status with a location (RFC 7644 §3.7.2, §3.7.3)", names[index]),
                    actual: format!(
                        "status {} {}",
                        if status.is_empty() { "(none)" } else { status },
                        if location.is_some() { "with a location" } else { "without a location" }
                    ),
                });
            }
        }
        None
    }
}

/// The array under `key` in a response's JSON body (empty when there is none).
fn array_of(call: &Call, key: &str) -> Vec<Value> {
    call.response
        .json()
        .and_then(|body| body.get(key).cloned())
        .and_then(|items| items.as_array().cloned())
        .unwrap_or_default()
}

/// The JSON body of a spec built with `with_json`.
fn json_body(spec: &RequestSpec) -> Value {
    match &spec.body {
        Some(Body::Json { value }) => value.clone(),
        _ => Value::Null,
    }
}

fn created_id(call: &Call) -> Option<String> {
    if !matches!(call.response.status, 200 | 201) {
        return None;
    }
    call.response
        .json()
        .and_then(|body| body.get("id").and_then(Value::as_str).map(str::to_string))
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
#[path = "capabilities_tests.rs"]
mod tests;
