//! What each check's rule asks for, in a few words a headline can end with (`Okta reads
//! deactivated users`), and why breaking it matters to an identity provider that provisions the
//! server (Okta, Microsoft Entra ID): the second half of a finding's headline and its "why" line.
//! Presentation only: the rule itself, its id and citation live in `check::catalogue`.

/// What a check's rule asks for and why an IdP cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Impact {
    /// The rule in a few words, e.g. `Okta reads deactivated users`.
    pub should: &'static str,
    /// What goes wrong for an IdP (and its admins and users) when the rule is broken.
    pub why: &'static str,
}

/// `(check id, should, why)` for every check of the catalogue.
const BY_CHECK: &[(&str, &str, &str)] = &[
    ("status.create-201", "a create answers 201 Created",
     "Okta treats any other success status as a failed create and retries or marks the push as failed"),
    ("uniqueness.duplicate-409", "a taken userName is refused with 409",
     "Okta looks a user up and creates it only when absent; without the 409 it links two accounts to one person or overwrites another user's account"),
    ("uniqueness.scim-type", "a 409 says scimType uniqueness",
     "the IdP cannot tell a conflict it can resolve by linking from any other refusal"),
    ("error.not-found-404", "an unknown id answers 404",
     "Okta reads a 404 as \"gone\" and re-creates or unlinks the user; any other status stalls the sync with an error"),
    ("error.body", "an error carries a SCIM Error body",
     "the IdP shows the admin the Error's detail; without it the failure is a bare status nobody can act on"),
    ("error.status-string", "the Error's status is a JSON string",
     "strict SCIM clients fail to parse the Error and lose its detail"),
    ("error.invalid-syntax-400", "malformed JSON is refused with 400 invalidSyntax",
     "a 5xx makes the IdP retry a request that can never succeed"),
    ("auth.unauthorized-401", "bad credentials answer 401",
     "Okta's connection test and token refresh rely on a 401 to tell expired credentials from an outage"),
    ("status.no-5xx", "a well-formed request never answers 5xx",
     "the IdP retries 5xx and, after repeated failures, suspends provisioning for the whole app"),
    ("status.expected", "the status is one the operation allows",
     "the IdP decides from the status whether the change happened; a wrong one leaves its view and the server's apart"),
    ("consistency.read-your-writes", "what answered 201 can be read back",
     "the IdP records the new id and later reads, updates or deactivates it: a resource that was never stored breaks every later sync of that user"),
    ("lifecycle.deactivated-readable", "Okta reads deactivated users",
     "Okta deactivates instead of deleting and reads the user back to reactivate or update it; a hidden user is re-created as a duplicate or left unmanaged"),
    ("resource.id-stable", "a resource keeps its id",
     "the IdP stores the id at create time; a new id orphans the old link and every later update goes to a user that no longer exists"),
    ("resource.username-case-preserved", "userName comes back exactly as sent",
     "the IdP compares the returned userName with its own and flags or re-pushes the user on every sync"),
    ("resource.content", "returned values are the ones sent",
     "the IdP's profile and the app's drift apart, and imports overwrite the IdP's data with the app's"),
    ("resource.multi-valued-array", "multi-valued attributes are JSON arrays",
     "Okta reads emails[0].value; any other shape loses the user's email"),
    ("resource.password-not-returned", "the password is never returned",
     "the password leaks into the IdP's logs and to anyone who can read the user"),
    ("create.location", "a 201 names the new resource in Location",
     "clients that follow Location to read the new resource cannot find it"),
    ("media.content-type", "responses are application/scim+json",
     "strict SCIM clients refuse to parse a response with another media type"),
    ("media.scim-json-accepted", "application/scim+json bodies are accepted",
     "Okta sends every body as application/scim+json: every create and update fails"),
    ("media.json-body", "a resource body is complete JSON",
     "the IdP cannot read the resource it just wrote and marks the operation as failed"),
    ("filter.username-case-insensitive", "userName eq matches in any case",
     "Okta looks users up by userName before creating them; a missed lookup creates a duplicate account"),
    ("filter.missing-match", "a filter returns every match",
     "the IdP's lookups and imports miss users: duplicates are created and imported users are lost"),
    ("filter.unexpected-match", "a filter returns only matches",
     "the IdP links the wrong account to a person when a lookup returns someone else"),
    ("filter.invalid-400", "a boolean ordered in a filter is refused with 400 invalidFilter",
     "a client gets a silently wrong result instead of an error it can fix"),
    ("filter.operator-unsupported", "an unsupported operator is refused with 400 invalidFilter",
     "a client learns what the server cannot filter on and stops asking"),
    ("filter.no-match-200", "a filter with no match answers 200 and totalResults 0",
     "Okta's lookup before a create treats a 404 as an error: no user is ever created"),
    ("list.shape", "a list is a ListResponse with integer counts",
     "Okta's import and lookup cannot parse the list and fail"),
    ("list.total-results", "totalResults counts every match",
     "the IdP stops paging early or never, and imports miss users"),
    ("list.page-size", "a page holds at most count resources",
     "the IdP's paging overlaps or skips users"),
    ("list.start-index", "startIndex is 1-based",
     "Okta's import starts at startIndex=1: the first user of every import is skipped"),
    ("list.stable-paging", "paging returns every resource once",
     "an import misses users or counts some twice"),
    ("patch.pathless-replace", "Okta's path-less PATCH is accepted",
     "Okta deactivates and reactivates users with a path-less PATCH: lifecycle changes never reach the app"),
    ("patch.op-case-insensitive", "PATCH op names are accepted in any case",
     "Microsoft Entra ID sends capitalised op names (Replace): its updates fail"),
    ("patch.result", "a PATCH answered 200 is applied and returned",
     "the IdP believes the change was made while the app kept the old value (a deactivation that did not happen keeps access open)"),
    ("patch.atomic", "a failed PATCH changes nothing",
     "the IdP retries a PATCH whose first operations already stuck, and the user ends half-updated"),
    ("patch.invalid-400", "an invalid PATCH is refused with 400 and changes nothing",
     "a client's mistake is stored silently instead of reported"),
    ("resource.meta", "meta names the resource type and location",
     "clients that follow meta.location or check meta.resourceType are misled"),
    ("resource.groups-consistent", "a user's groups match its memberships",
     "the IdP's group assignments and the app's disagree, so access is wrong"),
    ("put.result", "a PUT replaces the resource with the body sent",
     "Okta's GET-then-PUT updates (AIW apps) do not stick, or keep values the admin removed"),
    ("put.readonly-echo-accepted", "a PUT echoing id, meta and groups is accepted",
     "Okta's PUT echoes the read-only attributes it read: every update of an AIW app fails"),
    ("uniqueness.modify-409", "a PUT taking another user's userName answers 409",
     "two accounts end up with one userName and sign-in goes to the wrong person"),
    ("delete.status-204", "DELETE answers 204 with no body",
     "the IdP treats another status as a failed delete and retries it"),
    ("group.membership", "group members are exactly what the PATCHes leave",
     "group push grants or keeps access the IdP has removed (or the reverse)"),
    ("group.deleted-member-removed", "a deleted user leaves its groups",
     "deleted users still show as members and keep group-based access in the app"),
    ("group.display-name", "a path-less rename changes displayName",
     "group renames in the IdP never reach the app"),
    ("patch.remove-absent", "removing what is not there changes nothing",
     "the IdP's idempotent removes fail or remove more than asked"),
    ("patch.string-boolean", "\"True\"/\"False\" strings are stored as booleans",
     "Microsoft Entra ID deactivates with the string \"False\": the user stays active"),
    ("patch.add-existing", "adding a value already there changes nothing",
     "the IdP's repeated adds duplicate values"),
    ("patch.error-scim-type", "a refused PATCH says why in scimType",
     "the IdP cannot tell a harmless noTarget from a real failure"),
    ("etag.if-match-412", "a stale If-Match answers 412",
     "concurrent writers overwrite each other's changes without noticing"),
    ("response.too-large", "a response stays within the size limit",
     "the IdP times out or runs out of memory reading it; large results must be paged"),
    ("latency.okta-600ms", "responses arrive within 600 ms",
     "Okta's tests expect answers under 600 ms; slow answers time out bulk imports and pushes"),
    ("race.duplicate-create", "only one of them may succeed, the others answer 409",
     "Okta retries and pushes in parallel: a race lets one person get two accounts"),
    ("race.group-lost-update", "every one of them must stick",
     "Okta pushes group memberships in parallel: a lost update silently drops a member's access"),
    ("race.linearizable", "some order of them must explain every answer and the read after them",
     "the IdP acts on answers that no real order of its requests could give, and its view of the user goes wrong"),
    ("discovery.service-provider-config", "/ServiceProviderConfig describes the server",
     "clients cannot learn which features (PATCH, filter, ETag) the server supports"),
    ("discovery.resource-types", "/ResourceTypes lists the resource types",
     "clients cannot learn the endpoints and schema extensions the server supports"),
    ("discovery.schemas", "/Schemas lists the schemas",
     "clients cannot learn the attributes the server supports"),
    ("discovery.required-beyond-rfc", "nothing beyond userName is required",
     "Okta's create sends only its own attributes: creates fail for users without the extra one"),
    ("discovery.capability-works", "an advertised capability works",
     "clients use what the server advertises and fail"),
    ("filter.sw-unsupported", "userName sw is supported",
     "scimfuzz cannot confine its lists to its own namespace on a shared server"),
    ("cleanup.leftover", "nothing created by the run is left",
     "test data of the run stays on the server"),
];

/// The IdP impact of `check_id`; a check without an entry gets its catalogue summary and a
/// generic reason (never an empty line).
pub fn impact(check_id: &str) -> Impact {
    if let Some((_, should, why)) = BY_CHECK.iter().find(|(id, _, _)| *id == check_id) {
        return Impact { should, why };
    }
    let should = crate::check::catalogue::info(check_id).map_or("the rule holds", |c| c.summary);
    Impact {
        should,
        why: "the IdP acts on what the server answered, so its view of the user and the app's drift apart",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::catalogue;

    #[test]
    fn every_check_says_what_it_asks_and_why_an_idp_cares() {
        for check in catalogue::ALL {
            let known = BY_CHECK.iter().any(|(id, _, _)| *id == check.id);
            let shown = impact(check.id);
            assert!(
                !shown.should.is_empty() && !shown.why.is_empty(),
                "{}",
                check.id
            );
            // A check added later falls back to its summary until it gets an entry here.
            if !known {
                assert_eq!(shown.should, check.summary);
            }
        }
    }

    #[test]
    fn no_entry_names_a_check_the_catalogue_does_not_have() {
        for (id, _, _) in BY_CHECK {
            assert!(catalogue::info(id).is_some(), "{id}");
        }
    }

    #[test]
    fn the_deactivated_user_rule_reads_as_okta_behaviour() {
        let shown = impact("lifecycle.deactivated-readable");
        assert_eq!(shown.should, "Okta reads deactivated users");
        assert!(shown.why.contains("re-created"), "{}", shown.why);
    }
}
