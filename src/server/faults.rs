//! The named, injectable defects of the reference server: the [`Fault`] catalogue (name, what
//! breaks, which rule it violates) and the [`FaultSet`] the handlers consult. Every fault is
//! queried at exactly one decision point in the server, so switching one on changes one behaviour.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One create in every `n` is answered 201 but never stored under [`Fault::LostWrite`].
pub const LOST_WRITE_EVERY: u64 = 3;
/// One user create in every `n`, and one group create in every `n`, is stored and answered 500
/// under [`Fault::CreateStored500`].
pub const CREATE_STORED_500_EVERY: u64 = 3;
/// One request in every `n` is answered 500 under [`Fault::Sporadic500`].
pub const SPORADIC_500_EVERY: u64 = 4;
/// The delay added to every response under [`Fault::SlowResponses`]: bounded, never a hang.
pub const SLOW_RESPONSE_MILLIS: u64 = 1_000;
/// The window between the check and the write under the two race faults.
pub const RACE_WINDOW_MILLIS: u64 = 60;

macro_rules! fault_catalogue {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, $what:literal, $rule:literal; )*) => {
        /// One realistic defect the reference server can be told to show (`--fault NAME`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault { $( $(#[$doc])* $variant, )* }

        impl Fault {
            /// Every fault, in catalogue order.
            pub const ALL: &'static [Fault] = &[ $( Fault::$variant, )* ];

            /// The kebab-case name used on the command line.
            pub fn name(self) -> &'static str {
                match self { $( Fault::$variant => $name, )* }
            }

            /// What breaks, as a client would observe it.
            pub fn description(self) -> &'static str {
                match self { $( Fault::$variant => $what, )* }
            }

            /// The rule the defect violates (RFC section or Okta rule).
            pub fn rule(self) -> &'static str {
                match self { $( Fault::$variant => $rule, )* }
            }
        }
    };
}

fault_catalogue! {
    // Case handling.
    CaseSensitiveFilter => "case-sensitive-filter",
        "`eq` filters on strings compare case-sensitively, so `userName eq \"ALICE\"` misses alice",
        "RFC 7643 §2.2 caseExact=false for userName; RFC 7644 §3.4.2.2; Okta SPEC test step 9 (userName filter in capitals)";
    LowercasedStorage => "lowercased-storage",
        "userName is stored and returned lowercased instead of exactly as sent",
        "RFC 7643 §4.1.1 (case preserved); Okta SPEC step 6/7";
    CaseVariantDuplicate => "case-variant-duplicate",
        "uniqueness of userName is checked case-sensitively, so `Alice` and `alice` both get created",
        "RFC 7643 §4.1.1 userName uniqueness=server, caseExact=false";
    // Uniqueness.
    DuplicateUpsert => "duplicate-upsert",
        "a create with a taken userName answers 201 with the existing user instead of 409",
        "RFC 7644 §3.3 (409 uniqueness); Okta SPEC step 8";
    Duplicate200 => "duplicate-200",
        "a create with a taken userName answers 200 with the existing user instead of 409",
        "RFC 7644 §3.3 (409 uniqueness); Okta SPEC test steps 6 and 8 (201, then 409)";
    RenameDuplicate => "rename-duplicate",
        "PUT and PATCH may change a userName to one another user already holds",
        "RFC 7644 §3.5.1/§3.5.2 (409 uniqueness on modify)";
    // Status codes.
    BogusId400 => "bogus-id-400",
        "an unknown resource id answers 400 \"invalid id\" instead of 404",
        "RFC 7644 §3.12 (404 for unknown resources); Okta SPEC steps 4 and 12";
    BogusId500 => "bogus-id-500",
        "an unknown resource id answers 500 instead of 404",
        "RFC 7644 §3.12 (404 for unknown resources); Okta SPEC test steps 4 and 12";
    Create200 => "create-200",
        "a successful create answers 200 instead of 201",
        "RFC 7644 §3.3 (201 Created); Okta SPEC step 6";
    Delete200Body => "delete-200-body",
        "DELETE answers 200 with the deleted resource instead of 204 with no body",
        "RFC 7644 §3.6 (204 No Content); Okta SCIM 2.0 reference, Delete a specific Group";
    MissingLocation => "missing-location",
        "a successful create omits the Location header",
        "RFC 7644 §3.3 (Location header on 201)";
    // Error bodies.
    ErrorNoSchemas => "error-no-schemas",
        "error bodies lack the `schemas` attribute with the Error URN",
        "RFC 7644 §3.12 (Error schema); Okta SPEC steps 4, 11, 12";
    ErrorStatusNumber => "error-status-number",
        "error bodies carry `status` as a JSON number instead of a string",
        "RFC 7644 §3.12 (status is a string)";
    Html500 => "html-500",
        "a malformed JSON body answers 500 with an HTML page instead of 400 invalidSyntax",
        "RFC 7644 §3.12 (400 invalidSyntax, SCIM Error body)";
    UnauthorizedEmpty => "unauthorized-empty",
        "a missing or wrong token answers 401 with an empty body",
        "RFC 7644 §3.12; Okta SPEC step 11 (401 with a SCIM Error body)";
    // Pagination.
    ZeroBasedPaging => "zero-based-paging",
        "startIndex is treated as a 0-based offset, so startIndex=1 skips the first resource",
        "RFC 7644 §3.4.2.4 (1-based startIndex); Okta SCIM 2.0 reference, Retrieve Users (import paging)";
    CountIgnored => "count-ignored",
        "the `count` parameter is ignored and every match is returned",
        "RFC 7644 §3.4.2.4 (count); Okta SCIM 2.0 reference, Update a specific User (PATCH)";
    WrongTotal => "wrong-total",
        "totalResults is the size of the page instead of the number of matches",
        "RFC 7644 §3.4.2 (totalResults); Okta SCIM 2.0 reference, Retrieve Users (import paging)";
    UnstableOrder => "unstable-order",
        "list order changes on every repeat of a query, and pages after the first are shifted by one",
        "RFC 7644 §3.4.2.4 (stable pages); Okta SCIM 2.0 reference, Retrieve Users (import paging)";
    StringTotals => "string-totals",
        "totalResults, startIndex and itemsPerPage are JSON strings",
        "RFC 7644 §3.4.2 (integers); Okta SCIM 2.0 reference, Update a specific User (PATCH)";
    // Filters.
    FilterIgnored => "filter-ignored",
        "the `filter` parameter is ignored and every resource is listed",
        "RFC 7644 §3.4.2.2; Okta SCIM 2.0 reference, Create the User (lookup by userName eq)";
    AndAsOr => "and-as-or",
        "`and` in a filter is evaluated as `or`",
        "RFC 7644 §3.4.2.2 (logical operators)";
    CoAsSw => "co-as-sw",
        "`co` (contains) in a filter is evaluated as `sw` (starts with)",
        "RFC 7644 §3.4.2.2 Table 3";
    EmailsFilterFirstOnly => "emails-filter-first-only",
        "filters on emails look only at the first email of each user",
        "RFC 7644 §3.4.2.2 (multi-valued attributes match if any value matches)";
    InvalidFilterEvaluated => "invalid-filter-evaluated",
        "a filter that orders a boolean (`active gt false`) is evaluated instead of refused",
        "RFC 7644 §3.4.2.2 Table 3 (400 invalidFilter)";
    NoMatch404 => "no-match-404",
        "a filter that matches nothing answers 404 instead of 200 with totalResults 0",
        "RFC 7644 §3.4.2; Okta SPEC test steps 3 and 5";
    // PATCH.
    PathlessPatchRejected => "pathless-patch-rejected",
        "a PATCH operation without `path` (Okta's `{\"active\":false}`) answers 400",
        "RFC 7644 §3.5.2.3 (path optional); Okta SCIM 2.0 reference, Update a specific User (PATCH)";
    ReplaceAppends => "replace-appends",
        "`replace` on a multi-valued attribute appends the values instead of replacing them",
        "RFC 7644 §3.5.2.3";
    RemoveFilterRemovesAll => "remove-filter-removes-all",
        "`remove` with a value filter (`members[value eq \"x\"]`) removes every value",
        "RFC 7644 §3.5.2.2; Okta SCIM 2.0 reference, Update a specific Group membership";
    PatchNotAtomic => "patch-not-atomic",
        "when one PATCH operation fails, the operations before it stay applied",
        "RFC 7644 §3.5.2 (operations applied atomically)";
    PatchStaleResponse => "patch-stale-response",
        "PATCH answers 200 with the resource as it was before the change",
        "RFC 7644 §3.5.2 (200 returns the modified resource)";
    AddDuplicatesValues => "add-duplicates-values",
        "PATCH `add` to a multi-valued attribute appends values already there (a second identical email or member)",
        "RFC 7644 §3.5.2.1 (a value already there: no change)";
    RemoveAbsent500 => "remove-absent-500",
        "a PATCH `remove` of a value that is not there (unset attribute, filter that selects nothing) answers 500",
        "RFC 7644 §3.5.2.2 (remove), §3.12 (noTarget, not 500)";
    StringBooleanTruthy => "string-boolean-truthy",
        "a boolean sent as a string is stored by truthiness, so `\"False\"` makes a user active",
        "RFC 7643 §2.3.2 (boolean); Microsoft Entra's \"True\"/\"False\" strings";
    PatchOpCaseSensitive => "patch-op-case-sensitive",
        "PATCH op names other than lowercase (`Replace`) are rejected with 400",
        "RFC 7644 §3.5.2 (op values are case-insensitive); Microsoft Entra ID SCIM compliance notes (capitalised op names without aadOptscim062020)";
    // PUT.
    PutMerges => "put-merges",
        "PUT keeps attributes the body omitted instead of replacing the resource",
        "RFC 7644 §3.5.1 (PUT replaces)";
    PutDropsExtension => "put-drops-extension",
        "PUT silently drops the enterprise extension (and any schema-URN attribute) it was sent",
        "RFC 7644 §3.5.1 (PUT stores what was sent); RFC 7643 §3.3 (extensions)";
    PutRejectsReadOnly => "put-rejects-readonly",
        "PUT that echoes read-only id, meta or groups answers 400 mutability",
        "RFC 7644 §3.5.1 (readOnly values ignored); Okta SCIM 2.0 reference, Update a specific User (PUT)";
    // Deactivation.
    DeactivationLost => "deactivation-lost",
        "setting active=false answers 200 but the user stays active",
        "RFC 7643 §4.1.1 (active); Okta SCIM 2.0 reference, Update a specific User (PATCH active)";
    Deactivated404 => "deactivated-404",
        "a deactivated user answers 404 (reads, PUT, PATCH) and disappears from lists",
        "Okta SCIM 2.0 reference, Delete Users (Okta deactivates users, never deletes them)";
    ReactivationNewId => "reactivation-new-id",
        "reactivating a user moves it to a new id; the old id answers 404",
        "RFC 7643 §3.1 (id stable, never reassigned); Okta SCIM 2.0 reference, Delete Users";
    // Groups.
    MemberRemovalIgnored => "member-removal-ignored",
        "PATCH `remove` on group members answers 200 but keeps the members",
        "RFC 7644 §3.5.2.2; Okta SCIM 2.0 reference, Update a specific Group membership";
    GroupRenameIgnored => "group-rename-ignored",
        "a path-less group rename `{\"id\":…,\"displayName\":…}` answers 200 but keeps the old name",
        "RFC 7644 §3.5.2.3; Okta SCIM 2.0 reference, Update a specific Group name";
    DeletedUserKeptInGroups => "deleted-user-kept-in-groups",
        "deleting a user leaves it listed as a member of its groups",
        "RFC 7643 §4.2 (members reference existing resources)";
    // Races.
    DuplicateRace => "duplicate-race",
        "uniqueness is check-then-insert with a window, so concurrent creates of one userName both succeed",
        "RFC 7644 §3.3 (409 uniqueness) under concurrency";
    GroupLostUpdate => "group-lost-update",
        "group PATCH reads, waits and writes back, so concurrent PATCHes lose updates",
        "RFC 7644 §3.5.2 (each PATCH applied to the current resource)";
    LostWrite => "lost-write",
        "one create in every three answers 201 but the resource is never stored",
        "RFC 7644 §3.3 (201 means created)";
    CreateStored500 => "create-stored-500",
        "one user create in every three, and one group create in every three, is stored and then answered 500, so the client cannot know it exists",
        "RFC 7644 §3.12 (a 5xx says the request failed); RFC 7644 §3.3 (201 with the resource when it is created)";
    SortIgnored => "sort-ignored",
        "/ServiceProviderConfig advertises sort, but `sortBy` and `sortOrder` are ignored: lists come in creation order",
        "RFC 7644 §3.4.2.3 (sorting); RFC 7643 §5 (sort.supported)";
    BulkIdUnresolved => "bulk-id-unresolved",
        "/Bulk runs each operation but passes `bulkId:` references on unresolved, so a group whose members name a user created in the same request is refused",
        "RFC 7644 §3.7.2 (bulkId references)";
    // Partial servers: what real servers that implement part of SCIM do (`server::partial`).
    ExtraRequiredAttribute => "extra-required-attribute",
        "`title` is required beyond RFC 7643's userName: a user without it answers 400 invalidValue, and /Schemas declares it required",
        "RFC 7643 §4.1 (userName is the one required User attribute)";
    UnadvertisedExtensionDropped => "unadvertised-extension-dropped",
        "the enterprise extension is not in /ResourceTypes or /Schemas and is silently dropped from creates and replaces (allowed, not a defect)",
        "RFC 7644 §3.3 (a server may ignore attributes it does not support); RFC 7643 §6 (schemaExtensions)";
    SwRefused => "sw-refused",
        "filters with `sw` answer 400 invalidFilter (allowed, not a defect)",
        "RFC 7644 §3.4.2.2 (an unsupported operator is refused with 400 invalidFilter)";
    PatchPath501 => "patch-path-501",
        "PATCH operations with a `path` answer 501 (path-less ones work) while /ServiceProviderConfig says patch is supported",
        "RFC 7644 §3.5.2 (path); RFC 7643 §5 (patch.supported)";
    TestDomainEmailsRefused => "test-domain-emails-refused",
        "emails at a `.test` domain or with a non-ASCII local part answer 400 invalidValue, as ordinary validators do (allowed, not a defect)",
        "RFC 2606 §2 (.test is reserved); RFC 5321 §4.1.2 (ASCII local parts); RFC 7644 §3.12 (invalidValue)";
    DisplayNameDerived => "display-name-derived",
        "/Schemas declares the User displayName readOnly and the server derives it from the name parts, ignoring what a client sends (allowed, not a defect)",
        "RFC 7643 §7 (mutability readOnly); RFC 7644 §3.3 and §3.5.1 (readOnly values sent are ignored)";
    UnicodeEmail500 => "unicode-email-500",
        "a user whose email has a non-ASCII local part (`jörg.weiß@…`) answers 500: an encoder that assumes ASCII",
        "RFC 7644 §3.12 (a refused value is 400 invalidValue, never a 5xx); RFC 6531 (non-ASCII local parts)";
    // Protocol hostility.
    SlowResponses => "slow-responses",
        "every response is delayed by one second",
        "Okta SPEC step 10 (< 600 ms)";
    TruncatedJson => "truncated-json",
        "single-resource response bodies are cut off halfway",
        "RFC 7644 §3.1 (responses are JSON)";
    WrongContentType => "wrong-content-type",
        "responses are labelled `text/html` instead of `application/scim+json`",
        "RFC 7644 §3.1 (application/scim+json)";
    Sporadic500 => "sporadic-500",
        "one request in every four answers 500",
        "RFC 7644 §3.12";
    ScimJsonRejected => "scim-json-rejected",
        "request bodies labelled `application/scim+json` answer 415",
        "RFC 7644 §3.1; Okta SCIM 2.0 reference, Update a specific User (PATCH)";
    PasswordReturned => "password-returned",
        "the write-only password is returned in responses",
        "RFC 7643 §4.1.1 (password returned=never)";
    EtagIgnored => "etag-ignored",
        "If-Match with a stale version is not checked: the write succeeds instead of 412",
        "RFC 7644 §3.14 (412 Precondition Failed)";
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown fault name; its message lists every valid name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{given}`; valid faults are: {}", Fault::all().iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFault {
    pub given: String,
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.name() == name.trim())
            .ok_or_else(|| UnknownFault {
                given: name.to_string(),
            })
    }
}

impl Fault {
    /// Every fault, in catalogue order.
    pub fn all() -> &'static [Fault] {
        Fault::ALL
    }

    /// The `--list-faults` table: `NAME  <what breaks>  <rule violated>`, columns aligned.
    pub fn catalogue_table() -> String {
        let name_width = Fault::ALL.iter().map(|f| f.name().len()).max().unwrap_or(0);
        let what_width = Fault::ALL
            .iter()
            .map(|f| f.description().chars().count())
            .max()
            .unwrap_or(0);
        let mut table = String::new();
        for fault in Fault::ALL {
            let pad = what_width - fault.description().chars().count();
            table.push_str(&format!(
                "{:<name_width$}  {}{}  {}\n",
                fault.name(),
                fault.description(),
                " ".repeat(pad),
                fault.rule()
            ));
        }
        table
    }
}

/// The faults switched on for one server, plus the counters the periodic faults use.
#[derive(Debug, Default)]
pub struct FaultSet {
    bits: u64,
    creates: AtomicU64,
    /// Stored creates of users (`[0]`) and groups (`[1]`), for [`Fault::CreateStored500`].
    stored_creates: [AtomicU64; 2],
    requests: AtomicU64,
    list_repeats: Mutex<HashMap<u64, u64>>,
}

/// Whether event `n` (counted from 0) is the one of its block of `every` that fails: exactly one
/// in every `every`, at a position within the block that varies from block to block (a fixed
/// hash of the block number), as a server failing now and then does. A fixed period would lock
/// onto a client's rhythm: a case of 4k requests, run again, would meet a 500 at the same
/// request every time, and an intermittent failure would look reproducible.
fn one_in_every(n: u64, every: u64) -> bool {
    let block = n / every;
    // SplitMix64's finaliser: a well-mixed, fixed function of the block number.
    let mut z = block.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    n % every == z % every
}

/// [`FaultSet::list_repeat`] forgets every query once it remembers this many, so a long load
/// run against `unstable-order` cannot grow the server without bound.
const REMEMBERED_LIST_QUERIES: usize = 100_000;

impl FaultSet {
    /// A set with exactly these faults on.
    pub fn new(faults: &[Fault]) -> Self {
        let bits = faults.iter().fold(0u64, |bits, f| bits | (1 << *f as u32));
        Self {
            bits,
            ..Self::default()
        }
    }

    /// Whether `fault` is switched on.
    pub fn has(&self, fault: Fault) -> bool {
        self.bits & (1 << fault as u32) != 0
    }

    /// Counts one create and says whether [`Fault::LostWrite`] drops it.
    pub fn create_is_lost(&self) -> bool {
        let n = self.creates.fetch_add(1, Ordering::Relaxed);
        self.has(Fault::LostWrite) && one_in_every(n, LOST_WRITE_EVERY)
    }

    /// Counts one stored create of a user (or a group) and says whether
    /// [`Fault::CreateStored500`] answers it 500.
    pub fn stored_create_fails(&self, group: bool) -> bool {
        let counter = &self.stored_creates[usize::from(group)];
        let n = counter.fetch_add(1, Ordering::Relaxed);
        self.has(Fault::CreateStored500) && one_in_every(n, CREATE_STORED_500_EVERY)
    }

    /// Counts one request and says whether [`Fault::Sporadic500`] fails it.
    pub fn request_fails(&self) -> bool {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        self.has(Fault::Sporadic500) && one_in_every(n, SPORADIC_500_EVERY)
    }

    /// How many times this exact list query (by its hash) was answered before: 0 the first
    /// time. [`Fault::UnstableOrder`] rotates each answer by it, so a repeated query changes
    /// order while a replay in a fresh namespace (new filter values) sees the same answers.
    pub fn list_repeat(&self, query_hash: u64) -> u64 {
        let mut repeats = self
            .list_repeats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if repeats.len() >= REMEMBERED_LIST_QUERIES {
            repeats.clear();
        }
        let seen = repeats.entry(query_hash).or_insert(0);
        *seen += 1;
        *seen - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_at_least_thirty_faults_with_unique_kebab_case_names() {
        assert!(Fault::ALL.len() >= 30);
        assert!(Fault::ALL.len() <= 64, "FaultSet is a 64-bit mask");
        let mut names: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
        for name in names {
            assert!(name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
    }

    #[test]
    fn every_fault_parses_back_from_its_name() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(*fault));
            assert!(!fault.description().is_empty() && !fault.rule().is_empty());
        }
    }

    #[test]
    fn an_unknown_name_is_an_error_listing_the_valid_names() {
        let err = "no-such-fault".parse::<Fault>().unwrap_err();
        assert!(err.to_string().contains("duplicate-upsert"));
    }

    #[test]
    fn the_contract_names_exist() {
        for name in [
            "duplicate-upsert",
            "bogus-id-400",
            "lost-write",
            "duplicate-race",
            "group-lost-update",
            "case-sensitive-filter",
            "pathless-patch-rejected",
            "deactivated-404",
        ] {
            assert!(name.parse::<Fault>().is_ok(), "{name}");
        }
    }

    /// The positions (within each block of `every`) of the failing events among `events`.
    fn failing_positions(events: &[bool], every: usize) -> Vec<usize> {
        events
            .chunks(every)
            .map(|block| {
                let failing: Vec<usize> = (0..block.len()).filter(|&i| block[i]).collect();
                assert_eq!(failing.len(), 1, "exactly one failure in {block:?}");
                failing[0]
            })
            .collect()
    }

    #[test]
    fn lost_write_drops_one_create_in_every_three_only_when_on() {
        let on = FaultSet::new(&[Fault::LostWrite]);
        let lost: Vec<bool> = (0..30).map(|_| on.create_is_lost()).collect();
        let positions = failing_positions(&lost, 3);
        let off = FaultSet::new(&[]);
        assert!((0..6).all(|_| !off.create_is_lost()));
        assert!(
            positions.iter().any(|&p| p != positions[0]),
            "the failing create is not always at the same place of its block: {positions:?}"
        );
    }

    #[test]
    fn sporadic_500_fails_one_request_in_four_at_varying_places() {
        let on = FaultSet::new(&[Fault::Sporadic500]);
        let failed: Vec<bool> = (0..40).map(|_| on.request_fails()).collect();
        let positions = failing_positions(&failed, 4);
        assert!(
            positions.iter().any(|&p| p != positions[0]),
            "{positions:?}"
        );
        // A client sending 4k requests per case would otherwise meet the 500 at the same request
        // every time: here the place in a case of 8 requests changes from case to case.
        let per_case: Vec<Vec<usize>> = failed
            .chunks(8)
            .map(|case| (0..8).filter(|&i| case[i]).collect())
            .collect();
        assert!(
            per_case.iter().any(|case| *case != per_case[0]),
            "{per_case:?}"
        );
        let off = FaultSet::new(&[]);
        assert!((0..8).all(|_| !off.request_fails()));
    }

    #[test]
    fn create_stored_500_counts_users_and_groups_apart() {
        let on = FaultSet::new(&[Fault::CreateStored500]);
        let users: Vec<bool> = (0..3).map(|_| on.stored_create_fails(false)).collect();
        let groups: Vec<bool> = (0..3).map(|_| on.stored_create_fails(true)).collect();
        assert_eq!(users.iter().filter(|&&f| f).count(), 1);
        assert_eq!(users, groups, "two counters, one schedule");
        let off = FaultSet::new(&[]);
        assert!((0..6).all(|_| !off.stored_create_fails(false)));
    }

    #[test]
    fn the_catalogue_table_has_one_aligned_line_per_fault() {
        let table = Fault::catalogue_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), Fault::ALL.len());
        let rule_column = |line: &str, fault: Fault| line.rfind(fault.rule()).unwrap();
        let first = rule_column(lines[0], Fault::ALL[0]);
        for (line, fault) in lines.iter().zip(Fault::ALL) {
            assert!(line.starts_with(fault.name()));
            assert_eq!(
                line[..rule_column(line, *fault)].chars().count(),
                lines[0][..first].chars().count()
            );
        }
    }
}
