//! The two suites that close an Okta run: Okta's Entitlements test per configured endpoint
//! (`Okta-SCIM-20-Entitlements-Test.json`, Okta's Entitlements test) and the cleanup that removes everything the
//! run created — DELETE, or the path-less deactivation PATCH where the server refuses DELETE on
//! users (Okta itself never deletes users).

use serde_json::Value;

use super::bodies::pathless_active_patch;
use super::session::{okta_request, spec_get, Check, Session};
use crate::conformance::outcome::SuiteResult;
use crate::conformance::runscope::assertions::{Comparison, Source};
use crate::conformance::url::{encode_component, encode_url};
use crate::driver::{Method, TransportError};
use crate::scim::urn;

/// The entitlements suite's name in reports.
pub const ENTITLEMENTS: &str = "Entitlements";
/// The cleanup suite's name in reports.
pub const CLEANUP: &str = "Cleanup";

/// The `--entitlements` value that discovers the endpoints as Okta does.
pub const DISCOVER: &str = "auto";

/// Okta's ENT request per endpoint (`/Roles`, `/Licenses`, …): `?count=1&startIndex=1` must be a
/// ListResponse with at least one resource and `itemsPerPage` exactly 1. The endpoint `auto`
/// stands for Okta's discovery (Okta guide: SCIM with entitlements): every ResourceType whose schema is Okta's Entitlement or
/// Role URN.
pub fn run_entitlements(
    session: &Session<'_>,
    endpoints: &[String],
    suite: &mut SuiteResult,
) -> Result<(), TransportError> {
    use Comparison::{EqualNumber, HasValue, IsANumber, NotEmpty};
    use Source::{ResponseJson as Json, ResponseStatus as Status};
    let wants_discovery = endpoints.iter().any(|e| e.trim() == DISCOVER);
    let mut endpoints: Vec<String> = endpoints
        .iter()
        .filter(|e| e.trim() != DISCOVER)
        .cloned()
        .collect();
    if wants_discovery {
        endpoints.extend(discover(session, suite)?);
    }
    for (index, endpoint) in endpoints.iter().enumerate() {
        let endpoint = format!("/{}", endpoint.trim().trim_start_matches('/'));
        let path = encode_url(&format!("{endpoint}?count=1&startIndex=1"));
        let call = session.send(&spec_get(path))?;
        let mut check = Check::new(
            format!("e{}", index + 1),
            format!("ENT: GET {endpoint}?count=1&startIndex=1 → 200, ≥ 1 resource, itemsPerPage 1"),
        );
        check.record(&call);
        check.judge(
            &call,
            &[
                (Status, "", EqualNumber, Some("200")),
                (Json, "Resources", NotEmpty, None),
                (Json, "schemas", HasValue, Some(urn::LIST_RESPONSE)),
                (Json, "startIndex", IsANumber, None),
                (Json, "itemsPerPage", EqualNumber, Some("1")),
                (Json, "totalResults", IsANumber, None),
            ],
        );
        suite.steps.push(check.finish());
    }
    Ok(())
}

/// Okta's entitlement discovery: `GET /ResourceTypes`, keeping the endpoints whose `schema` is
/// Okta's Entitlement or Role URN. One check: the call answers a ListResponse and names at least one.
fn discover(session: &Session<'_>, suite: &mut SuiteResult) -> Result<Vec<String>, TransportError> {
    let call = session.send(&spec_get("/ResourceTypes"))?;
    let mut check = Check::new(
        "e0",
        "ENT discovery: GET /ResourceTypes names the Okta Entitlement and Role endpoints",
    );
    let mut endpoints = Vec::new();
    if check.status(&call, &[200]) {
        let body = call.response.json().unwrap_or(Value::Null);
        for resource_type in body
            .get("Resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let schema = resource_type.get("schema").and_then(Value::as_str);
            let endpoint = resource_type.get("endpoint").and_then(Value::as_str);
            if let (Some(schema), Some(endpoint)) = (schema, endpoint) {
                if schema == urn::OKTA_ENTITLEMENT || schema == urn::OKTA_ROLE {
                    endpoints.push(endpoint.to_string());
                }
            }
        }
        check.require(
            !endpoints.is_empty(),
            "entitlement ResourceTypes",
            format!(
                "at least one with schema {} or {}",
                urn::OKTA_ENTITLEMENT,
                urn::OKTA_ROLE
            ),
            "none",
        );
    }
    suite.steps.push(check.finish());
    Ok(endpoints)
}

/// Removes every group and user the run created and not yet removed, and reads each deleted user
/// back (404 expected); one check with the tally.
pub fn run_cleanup(session: &mut Session<'_>) -> Result<SuiteResult, TransportError> {
    let (users, groups) = session.take_created();
    let mut check = Check::new(
        "c1",
        "Leave the server as found: every user and group this run created is removed",
    );
    let mut deleted_groups = 0;
    for id in &groups {
        let path = format!("/Groups/{}", encode_component(id));
        let call = session.send(&okta_request(Method::Delete, path, None))?;
        if check.status(&call, &[204, 404]) {
            deleted_groups += 1;
        }
    }
    let (mut deleted_users, mut deactivated_users) = (0, 0);
    for id in &users {
        let path = format!("/Users/{}", encode_component(id));
        let call = session.send(&okta_request(Method::Delete, path.clone(), None))?;
        match call.response.status {
            204 | 200 | 404 => {
                let after = session.send(&okta_request(Method::Get, path, None))?;
                let gone = after.response.status == 404;
                if !gone {
                    check.record(&after);
                }
                if check.require(
                    gone,
                    "GET after DELETE",
                    "404",
                    format!("{} (user {id} is still there)", after.response.status),
                ) {
                    deleted_users += 1;
                }
            }
            403 | 405 | 501 => {
                let patch = pathless_active_patch(false);
                let call = session.send(&okta_request(Method::Patch, path, Some(patch)))?;
                if check.status(&call, &[200, 204]) {
                    deactivated_users += 1;
                }
            }
            _ => {
                check.status(&call, &[204]);
            }
        }
    }
    check.note(format!(
        "removed {deleted_groups} of {} groups; deleted {deleted_users} and deactivated \
         {deactivated_users} (DELETE refused) of {} users",
        groups.len(),
        users.len()
    ));
    let mut suite = SuiteResult::new(CLEANUP);
    suite.steps.push(check.finish());
    Ok(suite)
}
