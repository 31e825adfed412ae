//! Discovery, the second step of a run (after the credential probe): read `/ServiceProviderConfig`,
//! `/ResourceTypes` and `/Schemas` (RFC 7644 §4), overlay the schemas on RFC 7643's attribute
//! table, and ask once whether `userName sw` is supported. What the server says shapes the run
//! (see [`Discovery`] and `RunSetup::adopt`); a discovery endpoint that is missing or malformed,
//! an attribute required beyond RFC 7643, or an unsupported `sw` is a finding reported once, and
//! the run goes on with RFC defaults. Every byte of the answers is hostile: nothing here panics.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::runtime::Runtime;

use super::runner::SearchSummary;
use crate::check::{catalogue, Finding, Grading};
use crate::driver::{encode_component, Body, Call, Driver, Method, RequestSpec, TransportError};
use crate::scim::schema::{AttrType, Attribute, AttributePolicy, AttributeTable};
use crate::scim::urn;

/// A finding of discovery, with the exchange that shows it (none when it comes from the search).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoveryFinding {
    pub finding: Finding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Call>,
}

/// What the server said about itself, with RFC defaults where it said nothing usable.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// RFC 7643's attribute table overlaid with the server's `/Schemas`.
    pub table: AttributeTable,
    /// `/ServiceProviderConfig` features; `None` where the server did not say.
    pub patch: Option<bool>,
    pub filter: Option<bool>,
    pub etag: Option<bool>,
    pub sort: Option<bool>,
    pub bulk: Option<bool>,
    /// The User resource type lists the Enterprise User extension in `schemaExtensions` (true
    /// when `/ResourceTypes` says nothing usable about User: RFC 7644 lets a server ignore it).
    pub enterprise: bool,
    /// `userName sw "…"` is answered (false after a 400 invalidFilter or a 501).
    pub sw_supported: bool,
    /// Writable attributes the server requires beyond RFC 7643's (`userName`, Group
    /// `displayName`): (schema URN, attribute).
    pub extra_required: Vec<(String, Attribute)>,
    /// Findings, graded by the profile (allowed ones removed).
    pub findings: Vec<DiscoveryFinding>,
}

impl Default for Discovery {
    /// What a run assumes without discovery: RFC 7643's table, every feature as the profile
    /// says, the extension sent, `sw` supported.
    fn default() -> Self {
        Self {
            table: AttributeTable::rfc7643(),
            patch: None,
            filter: None,
            etag: None,
            sort: None,
            bulk: None,
            enterprise: true,
            sw_supported: true,
            extra_required: Vec::new(),
            findings: Vec::new(),
        }
    }
}

/// Runs discovery; `run_prefix` names the run's namespace for the `sw` probe. Only a transport
/// failure is an error.
pub fn discover(
    driver: &Driver,
    runtime: &Runtime,
    run_prefix: &str,
    grading: &Grading,
) -> Result<Discovery, TransportError> {
    let send = |path: &str| runtime.block_on(driver.send(&RequestSpec::get(path)));
    let mut found = Discovery::default();
    let mut raw = Vec::new();
    let config = send("/ServiceProviderConfig")?;
    match read_config(&config) {
        Ok(object) => found.read_features(&object),
        Err(problem) => raw.push(problem_finding(
            catalogue::DISCOVERY_CONFIG,
            "200 with a ServiceProviderConfig JSON object",
            problem,
            config,
        )),
    }
    let types = send("/ResourceTypes")?;
    let (resources, problem) = read_list(&types);
    found.read_resource_types(&resources);
    if let Some(problem) = problem {
        raw.push(problem_finding(
            catalogue::DISCOVERY_RESOURCE_TYPES,
            "200 with a ListResponse of resource types (schemas, totalResults, Resources)",
            problem,
            types,
        ));
    }
    let schemas = send("/Schemas")?;
    let (resources, problem) = read_list(&schemas);
    found.table.overlay(&Value::Array(resources));
    let required = found.read_required(&schemas);
    if let Some(problem) = problem {
        raw.push(problem_finding(
            catalogue::DISCOVERY_SCHEMAS,
            "200 with a ListResponse of schemas (schemas, totalResults, Resources)",
            problem,
            schemas,
        ));
    }
    raw.extend(required);
    let filter = format!("userName sw \"{run_prefix}\"");
    let probe = send(&format!(
        "/Users?filter={}&startIndex=1&count=1",
        encode_component(&filter)
    ))?;
    if refuses_filter(&probe) {
        found.sw_supported = false;
        raw.push(DiscoveryFinding {
            finding: Finding::new(
                catalogue::SW_UNSUPPORTED,
                format!("{filter} answered 200 (RFC 7644 §3.4.2.2 defines sw)"),
                format!("HTTP {} {}", probe.response.status, scim_type(&probe)),
            ),
            exchange: Some(probe),
        });
    }
    found.findings = grade(grading, raw);
    Ok(found)
}

/// The findings with the profile's levels, allowed ones dropped.
pub(super) fn grade(grading: &Grading, raw: Vec<DiscoveryFinding>) -> Vec<DiscoveryFinding> {
    raw.into_iter()
        .filter_map(|mut item| {
            let graded = grading.apply(vec![item.finding]).into_iter().next()?;
            item.finding = graded;
            Some(item)
        })
        .collect()
}

fn problem_finding(check: &str, expected: &str, problem: String, call: Call) -> DiscoveryFinding {
    let path = call.request.url.clone();
    DiscoveryFinding {
        finding: Finding::new(check, format!("GET {path}: {expected}"), problem),
        exchange: Some(call),
    }
}

fn status_problem(call: &Call) -> Option<String> {
    match call.response.status {
        200 => None,
        status => Some(format!("HTTP {status}")),
    }
}

/// The ServiceProviderConfig object, or what is wrong with the answer.
pub(super) fn read_config(call: &Call) -> Result<Map<String, Value>, String> {
    if let Some(problem) = status_problem(call) {
        return Err(problem);
    }
    match call.response.json() {
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err("a JSON value that is not an object".into()),
        None => Err("a body that is not JSON".into()),
    }
}

/// The resources of a ListResponse (or of a bare array, which some servers send), and what is
/// wrong with the answer (RFC 7644 §4 answers with a ListResponse, §3.4.2 its members).
pub(super) fn read_list(call: &Call) -> (Vec<Value>, Option<String>) {
    if let Some(problem) = status_problem(call) {
        return (Vec::new(), Some(problem));
    }
    let object = match call.response.json() {
        None => return (Vec::new(), Some("a body that is not JSON".into())),
        Some(Value::Array(items)) => {
            return (items, Some("a bare JSON array, not a ListResponse".into()))
        }
        Some(Value::Object(object)) => object,
        Some(_) => {
            return (
                Vec::new(),
                Some("a JSON value that is not a ListResponse".into()),
            )
        }
    };
    let mut problems = Vec::new();
    let has_schema = object
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|s| s.as_str() == Some(urn::LIST_RESPONSE)));
    if !has_schema {
        problems.push("no ListResponse URN in `schemas`");
    }
    let total = object.get("totalResults");
    if total.is_none() {
        problems.push("no `totalResults`");
    } else if !total.is_some_and(|t| t.is_u64()) {
        problems.push("`totalResults` is not a non-negative integer");
    }
    let resources = object.get("Resources").and_then(Value::as_array).cloned();
    if resources.is_none() && total.and_then(Value::as_u64).is_some_and(|t| t > 0) {
        problems.push("no `Resources` array");
    }
    let problem = (!problems.is_empty()).then(|| problems.join(", "));
    (resources.unwrap_or_default(), problem)
}

/// A 400 invalidFilter (or one without a scimType), or a 501: the filter is not supported.
pub(super) fn refuses_filter(call: &Call) -> bool {
    match call.response.status {
        501 => true,
        400 => matches!(scim_type_of(call).as_deref(), None | Some("invalidFilter")),
        _ => false,
    }
}

fn scim_type_of(call: &Call) -> Option<String> {
    call.response
        .json()?
        .get("scimType")?
        .as_str()
        .map(str::to_string)
}

fn scim_type(call: &Call) -> String {
    scim_type_of(call)
        .map(|t| format!("scimType {t}"))
        .unwrap_or_default()
}

fn feature(object: &Map<String, Value>, name: &str) -> Option<bool> {
    object.get(name)?.get("supported")?.as_bool()
}

impl Discovery {
    fn read_features(&mut self, config: &Map<String, Value>) {
        self.patch = feature(config, "patch");
        self.filter = feature(config, "filter");
        self.etag = feature(config, "etag");
        self.sort = feature(config, "sort");
        self.bulk = feature(config, "bulk");
    }

    /// Whether the User resource type lists the Enterprise User extension.
    pub(super) fn read_resource_types(&mut self, types: &[Value]) {
        let is_user = |t: &&Value| {
            t.get("schema")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(urn::USER))
                || t.get("endpoint").and_then(Value::as_str) == Some("/Users")
        };
        let Some(user) = types.iter().find(is_user) else {
            return;
        };
        self.enterprise = user
            .get("schemaExtensions")
            .and_then(Value::as_array)
            .is_some_and(|extensions| {
                extensions.iter().any(|e| {
                    e.get("schema")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case(urn::ENTERPRISE_USER))
                })
            });
    }

    /// Records the writable attributes required beyond RFC 7643 that scimfuzz's create bodies
    /// (Okta's) do not carry, and reports each once.
    pub(super) fn read_required(&mut self, schemas: &Call) -> Vec<DiscoveryFinding> {
        let mut findings = Vec::new();
        for (schema, sent) in [
            (urn::USER, USER_CREATE_SENDS),
            (urn::GROUP, GROUP_CREATE_SENDS),
        ] {
            let beyond = self.table.required_beyond_rfc(schema);
            let missing = beyond
                .into_iter()
                .filter(|a| !sent.iter().any(|s| s.eq_ignore_ascii_case(&a.name)));
            for attribute in missing {
                let required = (schema.to_string(), attribute.clone());
                findings.push(DiscoveryFinding {
                    finding: Finding::new(
                        catalogue::REQUIRED_BEYOND_RFC,
                        format!(
                            "{} requires only what RFC 7643 requires (userName; Group displayName)",
                            short_name(schema)
                        ),
                        format!(
                            "`{}` ({}) is required; scimfuzz now sends a generated value",
                            attribute.name,
                            attribute.kind.keyword()
                        ),
                    ),
                    exchange: Some(schemas.clone()),
                });
                self.extra_required.push(required);
            }
        }
        findings
    }

    /// One line per fact discovery changed, for the terminal.
    pub fn describe(&self) -> String {
        let word = |flag: Option<bool>| match flag {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not said",
        };
        let required: Vec<&str> = self
            .extra_required
            .iter()
            .map(|(_, a)| a.name.as_str())
            .collect();
        let schema = AttributePolicy::from_table(&self.table)
            .describe_differences()
            .map(|differences| format!("; schema declares {differences}"))
            .unwrap_or_default();
        format!(
            "patch {}, filter {}, etag {}, sort {}, bulk {}; enterprise extension {}; sw {}; extra required attributes: {}{schema}",
            word(self.patch),
            word(self.filter),
            word(self.etag),
            word(self.sort),
            word(self.bulk),
            if self.enterprise { "sent" } else { "not advertised, not sent" },
            if self.sw_supported { "supported" } else { "unsupported" },
            if required.is_empty() { "none".to_string() } else { required.join(", ") },
        )
    }
}

/// The attributes of the User create body (Okta's, see `fuzz::render`).
const USER_CREATE_SENDS: &[&str] = &[
    "userName",
    "name",
    "emails",
    "displayName",
    "locale",
    "externalId",
    "groups",
    "password",
    "active",
];
/// The attributes of the Group create body.
const GROUP_CREATE_SENDS: &[&str] = &["displayName", "members"];

/// `spec` with a generated value for every attribute the server requires beyond what it carries
/// (creates of users and groups only).
pub fn with_required(
    mut spec: RequestSpec,
    required: &[(String, Attribute)],
    tag: &str,
) -> RequestSpec {
    if required.is_empty() || spec.method != Method::Post {
        return spec;
    }
    let schema = match spec.path.as_str() {
        "/Users" => urn::USER,
        "/Groups" => urn::GROUP,
        _ => return spec,
    };
    if let Some(Body::Json {
        value: Value::Object(body),
    }) = &mut spec.body
    {
        for (_, attribute) in required.iter().filter(|(s, _)| s == schema) {
            if !body.keys().any(|k| k.eq_ignore_ascii_case(&attribute.name)) {
                body.insert(attribute.name.clone(), generated_value(attribute, tag));
            }
        }
    }
    spec
}

/// Capabilities the ServiceProviderConfig advertises that the search met answered 501 Not
/// Implemented (PATCH, filter), each reported once with the first exchange that shows it.
pub fn advertised_but_refused(
    discovery: &Discovery,
    summary: &SearchSummary,
    grading: &Grading,
) -> Vec<DiscoveryFinding> {
    let calls = summary
        .failures
        .iter()
        .flat_map(|f| f.minimal.steps.iter())
        .flat_map(|step| step.calls.iter())
        .filter(|call| call.response.status == 501);
    let mut raw: Vec<DiscoveryFinding> = Vec::new();
    for call in calls {
        let capability = if call.request.method.eq_ignore_ascii_case("PATCH") {
            (discovery.patch == Some(true)).then_some("patch")
        } else if call.request.url.contains("filter=") {
            (discovery.filter == Some(true)).then_some("filter")
        } else {
            None
        };
        let Some(capability) = capability else {
            continue;
        };
        let expected = format!(
            "`{capability}.supported: true` in /ServiceProviderConfig, so {capability} works"
        );
        if raw.iter().any(|d| d.finding.expected == expected) {
            continue;
        }
        raw.push(DiscoveryFinding {
            finding: Finding::new(
                catalogue::CAPABILITY_ADVERTISED,
                expected,
                format!(
                    "{} {} answered HTTP 501",
                    call.request.method, call.request.url
                ),
            ),
            exchange: Some(call.clone()),
        });
    }
    grade(grading, raw)
}

fn short_name(schema: &str) -> &str {
    schema.rsplit(':').next().unwrap_or(schema)
}

/// A value of the right type for an attribute a server requires (complex ones get their string
/// sub-attributes filled; multi-valued ones get one element).
pub fn generated_value(attribute: &Attribute, tag: &str) -> Value {
    let single = match attribute.kind {
        AttrType::Complex => {
            let mut object = Map::new();
            for sub in &attribute.sub_attributes {
                if sub.kind != AttrType::Complex && sub.writable() {
                    object.insert(sub.name.clone(), scalar(sub, tag));
                }
            }
            Value::Object(object)
        }
        _ => scalar(attribute, tag),
    };
    if attribute.multi_valued {
        Value::Array(vec![single])
    } else {
        single
    }
}

fn scalar(attribute: &Attribute, tag: &str) -> Value {
    match attribute.kind {
        AttrType::Boolean => Value::Bool(true),
        AttrType::Integer => Value::from(1),
        AttrType::Decimal => Value::from(1.5),
        AttrType::DateTime => Value::String("2024-01-01T00:00:00Z".into()),
        AttrType::Binary => Value::String("c2NpbWZ1eno=".into()),
        AttrType::Reference => Value::String(format!("https://example.com/{tag}")),
        AttrType::String | AttrType::Complex => Value::String(format!("{tag}-{}", attribute.name)),
    }
}
