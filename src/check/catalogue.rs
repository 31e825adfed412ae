//! Every check the fuzzer runs: its stable id, the rule it cites, and its default severity
//! (error = MUST, warning = SHOULD, note = MAY or a known tolerance). Profiles change severities
//! by id, so ids never change once published.

use serde::{Deserialize, Serialize};

/// How much a finding matters, mirroring MUST / SHOULD / MAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One check: id, citation, default severity and a one-line summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    pub id: &'static str,
    pub citation: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! checks {
    ($( $name:ident = $id:literal, $sev:ident, $cite:literal, $summary:literal; )*) => {
        $( #[doc = $summary] pub const $name: &str = $id; )*
        /// Every check, in catalogue order.
        pub const ALL: &[CheckInfo] = &[
            $( CheckInfo { id: $id, citation: $cite, severity: Severity::$sev, summary: $summary }, )*
        ];
    };
}

checks! {
    CREATE_201 = "status.create-201", Error, "RFC 7644 §3.3; Okta SPEC step 6",
        "a successful create answers 201 Created";
    DUPLICATE_409 = "uniqueness.duplicate-409", Error, "RFC 7644 §3.3, RFC 7643 §4.1.1; Okta SPEC step 8",
        "a create with a userName already taken (in any case) answers 409";
    UNIQUENESS_SCIM_TYPE = "uniqueness.scim-type", Warning, "RFC 7644 §3.3 (scimType uniqueness)",
        "a 409 on a duplicate carries scimType uniqueness";
    NOT_FOUND_404 = "error.not-found-404", Error, "RFC 7644 §3.12; Okta SPEC steps 4 and 12",
        "an unknown or deleted resource id answers 404";
    ERROR_BODY = "error.body", Error, "RFC 7644 §3.12; Okta SPEC steps 4, 11, 12",
        "error responses carry a SCIM Error body (schemas, detail, status)";
    ERROR_STATUS_STRING = "error.status-string", Warning, "RFC 7644 §3.12 (status is a string)",
        "the Error body's status is a JSON string";
    INVALID_SYNTAX_400 = "error.invalid-syntax-400", Error, "RFC 7644 §3.12 (invalidSyntax)",
        "a malformed JSON body answers 400 with a SCIM Error";
    UNAUTHORIZED_401 = "auth.unauthorized-401", Error, "RFC 7644 §2; Okta SPEC step 11",
        "a request with missing or wrong credentials answers 401";
    NO_SERVER_ERROR = "status.no-5xx", Error, "RFC 7644 §3.12",
        "a well-formed request never answers 5xx";
    STATUS = "status.expected", Error, "RFC 7644 §3",
        "the response status is one the operation allows";
    READ_YOUR_WRITES = "consistency.read-your-writes", Error, "RFC 7644 §3.3 (201 means created)",
        "a resource answered 201 can be read back";
    DEACTIVATED_READABLE = "lifecycle.deactivated-readable", Error, "Okta SCIM 2.0 reference, Delete Users (deactivated, never deleted); Okta CRUD test step 8",
        "a deactivated user is still readable by id and by filter";
    ID_STABLE = "resource.id-stable", Error, "RFC 7643 §3.1 (id stable, never reassigned); Okta C9293",
        "a resource keeps the id it was created with";
    CASE_PRESERVED = "resource.username-case-preserved", Error, "RFC 7643 §4.1.1; Okta SPEC steps 6-7",
        "userName is returned exactly as sent";
    CONTENT = "resource.content", Error, "RFC 7644 §3.3-§3.5 (returned resource reflects the request)",
        "returned resources carry the attribute values the model predicts";
    MULTI_VALUED_ARRAY = "resource.multi-valued-array", Error, "RFC 7643 §2.4; Okta SPEC test steps 1-2 (emails[0].value)",
        "multi-valued attributes (emails, members) are JSON arrays";
    PASSWORD_NOT_RETURNED = "resource.password-not-returned", Error, "RFC 7643 §4.1.1 (returned=never)",
        "the password is never returned";
    LOCATION = "create.location", Warning, "RFC 7644 §3.3 (Location header)",
        "a 201 carries a Location header naming the new resource";
    CONTENT_TYPE = "media.content-type", Warning, "RFC 7644 §3.1 (application/scim+json)",
        "responses are labelled application/scim+json";
    SCIM_JSON_ACCEPTED = "media.scim-json-accepted", Error, "RFC 7644 §3.1; Okta SCIM 2.0 reference, Update a specific User (PATCH)",
        "request bodies labelled application/scim+json are accepted";
    JSON_BODY = "media.json-body", Error, "RFC 7644 §3.1",
        "response bodies that should carry a resource are complete JSON";
    USERNAME_CASE_INSENSITIVE = "filter.username-case-insensitive", Error, "RFC 7643 §2.2, §4.1.1; Okta SPEC test step 9 (userName filter in capitals)",
        "userName eq matches any case variant of the stored userName";
    FILTER_MISSING_MATCH = "filter.missing-match", Error, "RFC 7644 §3.4.2.2",
        "a filter returns every resource that matches it";
    FILTER_UNEXPECTED_MATCH = "filter.unexpected-match", Error, "RFC 7644 §3.4.2.2",
        "a filter returns only resources that match it";
    FILTER_INVALID_400 = "filter.invalid-400", Error, "RFC 7644 §3.4.2.2 (Table 3: gt/ge/lt/le on a boolean SHALL fail); §3.12 (invalidFilter)",
        "a filter that orders a boolean answers 400 with scimType invalidFilter";
    FILTER_UNSUPPORTED = "filter.operator-unsupported", Note, "RFC 7644 §3.4.2.2, §3.12 (invalidFilter: the filter is not supported)",
        "a filter operator the server does not support is refused with 400 invalidFilter (reported once, then not judged)";
    NO_MATCH_200 = "filter.no-match-200", Error, "RFC 7644 §3.4.2; Okta SPEC steps 3, 5",
        "a filter that matches nothing answers 200 with totalResults 0";
    LIST_SHAPE = "list.shape", Error, "RFC 7644 §3.4.2; Okta SCIM 2.0 reference, Update a specific User (PATCH)",
        "list responses are ListResponse messages with integer counts";
    TOTAL_RESULTS = "list.total-results", Error, "RFC 7644 §3.4.2 (totalResults)",
        "totalResults is the number of matches, not the page size";
    PAGE_SIZE = "list.page-size", Error, "RFC 7644 §3.4.2.4 (count)",
        "a page holds min(count, remaining) resources";
    START_INDEX = "list.start-index", Error, "RFC 7644 §3.4.2.4 (1-based startIndex)",
        "startIndex is 1-based and echoed";
    STABLE_PAGING = "list.stable-paging", Error, "RFC 7644 §3.4.2.4; Okta SCIM 2.0 reference, Retrieve Users (import paging)",
        "walking the pages returns every resource exactly once";
    PATHLESS_PATCH = "patch.pathless-replace", Error, "RFC 7644 §3.5.2.3; Okta SCIM 2.0 reference, Update a specific User (PATCH)",
        "a path-less replace with an object value is accepted";
    PATCH_OP_CASE = "patch.op-case-insensitive", Warning, "RFC 7644 §3.5.2; Microsoft Entra ID SCIM compliance notes (capitalised op names without aadOptscim062020)",
        "PATCH op names are accepted in any case";
    PATCH_RESULT = "patch.result", Error, "RFC 7644 §3.5.2",
        "a PATCH answered 200 returns the modified resource and is applied";
    PATCH_ATOMIC = "patch.atomic", Error, "RFC 7644 §3.5.2 (all or nothing)",
        "a PATCH that fails leaves the resource unchanged";
    PATCH_INVALID = "patch.invalid-400", Warning, "RFC 7644 §3.5.2 (one or more operations; invalidPath)",
        "a PATCH with no operations or an unknown attribute answers 400 and changes nothing";
    META = "resource.meta", Warning, "RFC 7643 §3.1 (meta.resourceType, meta.location)",
        "meta names the resource type and, if given, the resource's own location";
    GROUPS_CONSISTENT = "resource.groups-consistent", Warning, "RFC 7643 §4.1.2 (groups), §4.2 (members)",
        "a user's groups attribute lists exactly the case's groups it is a member of";
    PUT_RESULT = "put.result", Error, "RFC 7644 §3.5.1 (PUT replaces)",
        "a PUT replaces the resource with the body sent";
    PUT_READONLY_ECHO = "put.readonly-echo-accepted", Error, "RFC 7644 §3.5.1; Okta SCIM 2.0 reference, Update a specific User (PUT)",
        "a PUT echoing read-only id, meta and groups is accepted";
    RENAME_UNIQUENESS = "uniqueness.modify-409", Error, "RFC 7644 §3.5.1",
        "a PUT that takes another user's userName answers 409";
    DELETE_204 = "delete.status-204", Error, "RFC 7644 §3.6; Okta SCIM 2.0 reference, Delete a specific Group",
        "DELETE answers 204 with no body";
    GROUP_MEMBERSHIP = "group.membership", Error, "RFC 7644 §3.5.2; RFC 7643 §4.2; Okta SCIM 2.0 reference, Update a specific Group membership",
        "group members are exactly the ones the PATCHes and deletes leave";
    GROUP_DELETED_MEMBER = "group.deleted-member-removed", Warning, "RFC 7644 §3.6 (deleted resources omitted from results); RFC 7643 §4.2",
        "a deleted user no longer appears among a group's members";
    GROUP_NAME = "group.display-name", Error, "RFC 7644 §3.5.2.3; Okta SCIM 2.0 reference, Update a specific Group name",
        "a path-less rename changes the group's displayName";
    PATCH_REMOVE_ABSENT = "patch.remove-absent", Error, "RFC 7644 §3.5.2.2, §3.12 (noTarget)",
        "a remove of a value that is not there changes nothing: 200/204, or 400 noTarget where the profile allows it";
    PATCH_STRING_BOOLEAN = "patch.string-boolean", Error, "RFC 7643 §2.3.2 (boolean); Microsoft Entra's \"True\"/\"False\" strings",
        "a boolean sent as the string \"True\"/\"False\" is stored as that boolean (or refused with 400 where the profile allows it), never as text or the opposite value";
    PATCH_ADD_EXISTING = "patch.add-existing", Warning, "RFC 7644 §3.5.2.1 (no change SHOULD be made, success SHOULD be returned)",
        "an add of a value already there succeeds and changes nothing (no duplicate values)";
    PATCH_ERROR_SCIM_TYPE = "patch.error-scim-type", Warning, "RFC 7644 §3.12 (scimType)",
        "a refused PATCH says why in scimType (noTarget for a remove that selects nothing, invalidValue for a wrong type)";
    ETAG_PRECONDITION = "etag.if-match-412", Error, "RFC 7644 §3.14",
        "a write with a stale If-Match answers 412";
    RESPONSE_TOO_LARGE = "response.too-large", Error, "RFC 7644 §3.4.2.4 (large results are paged); --max-response-size",
        "a response body stays within --max-response-size (default 16 MiB, decoded)";
    LATENCY = "latency.okta-600ms", Warning, "Okta SPEC step 10 (< 600 ms)",
        "responses arrive within 600 ms";
    RACE_DUPLICATE = "race.duplicate-create", Error, "RFC 7644 §3.3 under concurrency",
        "of concurrent creates of one userName exactly one succeeds";
    RACE_LOST_UPDATE = "race.group-lost-update", Error, "RFC 7644 §3.5.2 under concurrency",
        "concurrent membership PATCHes are all applied";
    RACE_LINEARIZABLE = "race.linearizable", Error, "RFC 7644 §3 under concurrency (linearizability: Herlihy & Wing 1990)",
        "concurrent requests have an order that explains every response and what a read shows afterwards";
    DISCOVERY_CONFIG = "discovery.service-provider-config", Error, "RFC 7644 §4; RFC 7643 §5",
        "GET /ServiceProviderConfig answers 200 with a ServiceProviderConfig object";
    DISCOVERY_RESOURCE_TYPES = "discovery.resource-types", Error, "RFC 7644 §4, §3.4.2; RFC 7643 §6",
        "GET /ResourceTypes answers 200 with a ListResponse (schemas, totalResults, Resources)";
    DISCOVERY_SCHEMAS = "discovery.schemas", Error, "RFC 7644 §4, §3.4.2; RFC 7643 §7",
        "GET /Schemas answers 200 with a ListResponse (schemas, totalResults, Resources)";
    REQUIRED_BEYOND_RFC = "discovery.required-beyond-rfc", Note, "RFC 7643 §4.1, §4.2, §7 (required); Okta's create sends only its own attributes",
        "the server requires no writable attribute beyond userName (User) and displayName (Group)";
    CAPABILITY_ADVERTISED = "discovery.capability-works", Error, "RFC 7644 §4; RFC 7643 §5 (ServiceProviderConfig)",
        "a capability the ServiceProviderConfig advertises works (an advertised PATCH or filter is not answered 501, an advertised sort orders caselessly, an advertised bulk request is carried out with its bulkId references)";
    SW_UNSUPPORTED = "filter.sw-unsupported", Warning, "RFC 7644 §3.4.2.2 (sw); §3.12 (invalidFilter)",
        "a userName sw filter is supported (scimfuzz namespaces its lists with it)";
    LEFTOVER = "cleanup.leftover", Warning, "scimfuzz: leave the server as found",
        "nothing created by the run is left after cleanup";
}

/// The catalogue entry of a check id.
pub fn info(id: &str) -> Option<&'static CheckInfo> {
    ALL.iter().find(|check| check.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_dotted() {
        let mut ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before);
        assert!(ALL
            .iter()
            .all(|c| c.id.contains('.') && !c.citation.is_empty()));
    }
}
