//! Discovery against servers that describe themselves differently: a stand-in whose discovery
//! endpoints are partial (malformed lists, no extension, an extra required attribute, no PATCH,
//! `sw` refused), and the reference server with what such a discovery makes a run send.

use scimfuzz::check::Severity;
use scimfuzz::driver::{Driver, Namespaces, Target};
use scimfuzz::fuzz::{discover, load_behaviour, Discovery, RunSetup, SearchConfig, SearchSummary};
use scimfuzz::model::{Op, Spelling, UserHandle};
use scimfuzz::scim::schema::{AttrType, Attribute};
use scimfuzz::scim::urn;
use scimfuzz::server::{spawn_on_thread, Fault, ServerConfig};

use super::fuzz::fuzz_embedded;
use serde_json::{json, Value};

/// A stand-in whose discovery is partial: `/ResourceTypes` without `totalResults` and without
/// the extension, `/Schemas` requiring `title`, PATCH disclaimed, and `sw` refused with 400.
fn partial_server() -> String {
    use axum::http::StatusCode;
    use axum::routing::get;

    let config = || async {
        axum::Json(json!({"schemas": [urn::SERVICE_PROVIDER_CONFIG],
            "patch": {"supported": false}, "filter": {"supported": true, "maxResults": 50},
            "etag": {"supported": false}, "sort": {"supported": false}, "bulk": {"supported": false}}))
    };
    let types = || async {
        axum::Json(json!({"schemas": [urn::LIST_RESPONSE], "Resources": [
            {"id": "User", "name": "User", "endpoint": "/Users", "schema": urn::USER},
            {"id": "Group", "name": "Group", "endpoint": "/Groups", "schema": urn::GROUP},
        ]}))
    };
    let schemas = || async {
        axum::Json(
            json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 1, "Resources": [
                {"id": urn::USER, "attributes": [
                    {"name": "userName", "type": "string", "required": true, "caseExact": false},
                    {"name": "title", "type": "string", "required": true},
                ]},
            ]}),
        )
    };
    let users = || async {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"schemas": [urn::ERROR], "status": "400",
                "scimType": "invalidFilter", "detail": "sw is not supported"})),
        )
    };
    let app = axum::Router::new()
        .route("/scim/v2/ServiceProviderConfig", get(config))
        .route("/scim/v2/ResourceTypes", get(types))
        .route("/scim/v2/Schemas", get(schemas))
        .route("/scim/v2/Users", get(users));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a port");
            sender.send(listener.local_addr().expect("an address")).ok();
            let _ = axum::serve(listener, app).await;
        });
    });
    format!(
        "http://{}/scim/v2",
        receiver.recv().expect("the stand-in starts")
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn discover_as(profile: &str, base_url: &str, auth: String) -> Discovery {
    let runtime = runtime();
    let driver = Driver::new(Target::new(base_url, Some(auth))).expect("a driver");
    let setup = RunSetup::new(load_behaviour(profile).expect("a profile"), 8, false, true);
    discover(&driver, &runtime, "424242", &setup.grading).expect("the stand-in answers")
}

#[test]
fn a_partial_discovery_is_reported_once_and_shapes_the_run() {
    let base_url = partial_server();
    let found = discover_as("okta", &base_url, "Bearer t".into());
    let levels: Vec<(&str, Severity)> = found
        .findings
        .iter()
        .map(|d| (d.finding.check_id.as_str(), d.finding.severity))
        .collect();
    assert_eq!(
        levels,
        [
            ("discovery.resource-types", Severity::Warning),
            ("discovery.required-beyond-rfc", Severity::Warning),
            ("filter.sw-unsupported", Severity::Note),
        ]
    );
    assert!(found.findings.iter().all(|d| d.exchange.is_some()));
    assert!(found.findings[0].finding.actual.contains("totalResults"));
    assert_eq!(
        (
            found.patch,
            found.etag,
            found.enterprise,
            found.sw_supported
        ),
        (Some(false), Some(false), false, false)
    );
    let required: Vec<&str> = found
        .extra_required
        .iter()
        .map(|(_, a)| a.name.as_str())
        .collect();
    assert_eq!(required, ["title"]);

    let strict = discover_as("rfc-strict", &base_url, "Bearer t".into());
    let levels: Vec<Severity> = strict.findings.iter().map(|d| d.finding.severity).collect();
    assert_eq!(levels, [Severity::Error, Severity::Note, Severity::Warning]);
}

#[test]
fn the_reference_server_describes_itself_without_findings() {
    let server = spawn_on_thread(ServerConfig::default()).expect("the server starts");
    let found = discover_as("rfc-strict", server.base_url(), server.authorization());
    assert!(found.findings.is_empty(), "{:?}", found.findings);
    assert_eq!(
        (
            found.patch,
            found.filter,
            found.etag,
            found.enterprise,
            found.sw_supported
        ),
        (Some(true), Some(true), Some(true), true, true)
    );
    assert!(found
        .table
        .user("userName")
        .is_some_and(|a| a.required && !a.case_exact));
    server.shutdown();
}

#[test]
fn creates_carry_required_attributes_and_the_extension_only_when_advertised() {
    let server = spawn_on_thread(ServerConfig::default()).expect("the server starts");
    let runtime = runtime();
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    let mut setup = RunSetup::new(load_behaviour("okta").expect("okta"), 8, true, true);
    setup.adopt(&Discovery {
        enterprise: false,
        patch: Some(false),
        extra_required: vec![(urn::USER.into(), Attribute::new("title", AttrType::String))],
        ..Discovery::default()
    });
    assert!(!setup.gen.patch);
    let exec = setup.executor(&driver, &runtime);
    let create = Op::CreateUser {
        user: UserHandle(0),
        spelling: Spelling::Base,
    };
    let get = Op::GetUser {
        user: UserHandle(0),
    };
    let tag = Namespaces::new().next_tag();
    let outcome = exec
        .run_case(&[create, get], &tag, &|_| false)
        .expect("the server answers");
    assert_eq!(outcome.findings().count(), 0, "{:?}", outcome.steps);
    let sent: Value = serde_json::from_str(
        outcome.steps[0].calls[0]
            .request
            .body
            .as_deref()
            .expect("a create body"),
    )
    .expect("JSON");
    assert_eq!(sent["title"], format!("{tag}-title"));
    assert!(sent.get(urn::ENTERPRISE_USER).is_none(), "{sent}");
    let read = outcome.steps[1].calls[0].response.json().expect("a user");
    assert_eq!(read["title"], sent["title"]);
    server.shutdown();
}

fn short_run(faults: &[Fault]) -> SearchSummary {
    fuzz_embedded(
        faults,
        SearchConfig {
            seed: 5,
            cases: 40,
            race_cases: 2,
            max_shrink_time: std::time::Duration::from_secs(5),
            ..SearchConfig::default()
        },
    )
}

fn discovery_ids(summary: &SearchSummary) -> Vec<(String, Severity)> {
    summary
        .discovery
        .iter()
        .map(|d| (d.finding.check_id.clone(), d.finding.severity))
        .collect()
}

#[test]
fn a_server_requiring_title_is_reported_once_and_then_searched_with_title() {
    let summary = short_run(&[Fault::ExtraRequiredAttribute]);
    assert_eq!(
        discovery_ids(&summary),
        [(
            "discovery.required-beyond-rfc".to_string(),
            Severity::Warning
        )]
    );
    let creates = summary.op_kinds.get("create-user").copied().unwrap_or(0);
    assert!(creates > 40, "creates ran: {:?}", summary.op_kinds);
    assert!(
        summary.failures.is_empty(),
        "{:?}",
        summary
            .failures
            .iter()
            .map(|f| &f.check_id)
            .collect::<Vec<_>>()
    );
}

#[test]
fn an_unadvertised_extension_is_not_sent_and_not_judged() {
    let summary = short_run(&[Fault::UnadvertisedExtensionDropped]);
    assert!(summary.discovery.is_empty(), "{:?}", summary.discovery);
    assert!(
        summary.failures.is_empty(),
        "{:?}",
        summary
            .failures
            .iter()
            .map(|f| f.minimal.first_blocking().cloned())
            .collect::<Vec<_>>()
    );
}

#[test]
fn an_advertised_patch_answered_501_and_a_refused_sw_are_discovery_findings() {
    let summary = short_run(&[Fault::PatchPath501]);
    let ids = discovery_ids(&summary);
    assert!(
        ids.contains(&("discovery.capability-works".to_string(), Severity::Error)),
        "{ids:?}"
    );
    let refused = short_run(&[Fault::SwRefused]);
    assert!(
        discovery_ids(&refused).contains(&("filter.sw-unsupported".to_string(), Severity::Note)),
        "{:?}",
        refused.discovery
    );
}
