//! The operations a fuzz case is made of. Ops name symbolic handles (`UserHandle`, `GroupHandle`),
//! never server ids: the driver maps handles to the ids the server assigned, so a shrunk sequence
//! stays meaningful. Ops are plain data (serialisable into traces and replayed later).

use serde::{Deserialize, Serialize};

use crate::scim::filter::Filter;
use crate::scim::schema::Tracked;

/// A user the case may create: slot `n` always has the same base name within a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserHandle(pub u8);

/// A group the case may create: slot `n` always has the same base display name in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupHandle(pub u8);

/// How a name is spelled relative to its base form. The first four are ASCII-only changes whose
/// case-insensitive equality is certain; `Unicode*` variants may or may not be equal depending on
/// how far a server's case folding goes (the profile decides which must match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case")]
pub enum Spelling {
    /// Exactly the base form.
    Base,
    /// Full uppercase (`str::to_uppercase`, so `ß` becomes `SS`).
    Upper,
    /// Full lowercase.
    Lower,
    /// ASCII letters with their case swapped, everything else unchanged.
    SwapAscii,
    /// Uppercase with simple one-to-one mappings only (`é`→`É`, `ß` stays).
    UnicodeSimpleUpper,
    /// Letters replaced by compatibility look-alikes: full-width forms, Kelvin sign, dotted `İ`.
    UnicodeLookalike,
    /// Precomposed accented letters decomposed into base letter + combining accent.
    UnicodeDecomposed,
}

impl Spelling {
    /// Every spelling, ASCII ones first.
    pub const ALL: [Spelling; 7] = [
        Spelling::Base,
        Spelling::Upper,
        Spelling::Lower,
        Spelling::SwapAscii,
        Spelling::UnicodeSimpleUpper,
        Spelling::UnicodeLookalike,
        Spelling::UnicodeDecomposed,
    ];
}

/// A resource id that names nothing on the server, in the shapes real servers mishandle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case")]
pub enum BogusId {
    /// Okta SPEC step 4: `010101001010101011001010101011` (30 digits).
    OktaThirtyDigits,
    /// Okta SPEC step 12: `00919288221112222` (17 digits).
    OktaSeventeenDigits,
    /// A well-formed random UUID (derived from the namespace, so replays are stable).
    RandomUuid,
    /// An id containing `bulkId` (Okta: ids must never contain it).
    BulkId,
    /// Reserved URL characters and a space, percent-encoded: `/ ? # %`.
    ReservedCharacters,
    /// A 1 KB id.
    OneKilobyte,
}

impl BogusId {
    /// Every bogus id shape.
    pub const ALL: [BogusId; 6] = [
        BogusId::OktaThirtyDigits,
        BogusId::OktaSeventeenDigits,
        BogusId::RandomUuid,
        BogusId::BulkId,
        BogusId::ReservedCharacters,
        BogusId::OneKilobyte,
    ];
}

/// A change Okta's profile update makes before echoing the user back with PUT.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case", tag = "attribute", content = "value")]
pub enum UserChange {
    /// `name.givenName` becomes the base given name plus this suffix.
    GivenNameSuffix(String),
    /// `displayName` becomes this text (namespaced by the driver).
    DisplayName(String),
    /// `active` set through the PUT body (AIW-style deactivation).
    Active(bool),
    /// The PUT leaves out `externalId`: PUT replaces the resource, so it must disappear.
    DropExternalId,
    /// The PUT leaves out the second email: PUT replaces, so it must disappear.
    DropSecondEmail,
    /// The PUT takes another user's userName: refused with 409 while that user is live.
    TakeUserNameOf(UserHandle),
}

impl UserChange {
    /// The attribute the change writes.
    pub fn attribute(&self) -> Tracked {
        match self {
            UserChange::GivenNameSuffix(_) => Tracked::GivenName,
            UserChange::DisplayName(_) => Tracked::DisplayName,
            UserChange::Active(_) => Tracked::Active,
            UserChange::DropExternalId => Tracked::ExternalId,
            UserChange::DropSecondEmail => Tracked::Emails,
            UserChange::TakeUserNameOf(_) => Tracked::UserName,
        }
    }
}

/// How a group's membership is changed with PATCH.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum MembershipChange {
    /// `{"op":"add","path":"members","value":[…]}`.
    Add { users: Vec<UserHandle> },
    /// `{"op":"remove","path":"members[value eq \"…\"]"}`, one op per user.
    Remove { users: Vec<UserHandle> },
    /// `{"op":"replace","path":"members","value":[…]}` (Okta's "Push Now").
    ReplaceAll { users: Vec<UserHandle> },
}

/// The placeholder for the namespace tag inside generated filter values (case-invariant, so
/// spelling variants keep it).
pub const NAMESPACE_TOKEN: &str = "%%";

/// A list request: an optional filter and paging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    /// The filter (over the namespace's names); `None` lists everything.
    #[serde(with = "filter_text")]
    pub filter: Option<Filter>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    /// Confine the listing to the case's namespace even on an exclusive target (on a shared target
    /// every listing is confined: `… and userName sw "<tag>."`).
    pub namespaced: bool,
}

/// Filters travel in traces as their printed text and are parsed back on replay.
mod filter_text {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    use crate::scim::filter::{parse, Filter};

    pub fn serialize<S: Serializer>(filter: &Option<Filter>, out: S) -> Result<S::Ok, S::Error> {
        match filter {
            Some(filter) => out.serialize_some(&filter.to_string()),
            None => out.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Option<Filter>, D::Error> {
        let text: Option<String> = Option::deserialize(input)?;
        text.map(|text| parse(&text).map_err(D::Error::custom))
            .transpose()
    }
}

/// A PATCH that cannot apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case")]
pub enum InvalidPatch {
    /// `"Operations": []` (RFC 7644 §3.5.2: one or more operations).
    EmptyOperations,
    /// A replace of an attribute the User schema does not have (400 invalidPath).
    UnknownAttribute,
}

/// A filter that parses but that RFC 7644 §3.4.2.2 (Table 3) says SHALL fail with 400
/// `invalidFilter`: an ordering operator on a boolean. Each is scoped to the case's namespace, so
/// a server that evaluates it anyway lists nothing of anyone else's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case")]
pub enum InvalidFilter {
    /// `active gt false`
    ActiveGt,
    /// `emails[primary le true]`
    PrimaryLe,
    /// `not (active ge true)`
    NotActiveGe,
}

impl InvalidFilter {
    pub const ALL: [InvalidFilter; 3] = [
        InvalidFilter::ActiveGt,
        InvalidFilter::PrimaryLe,
        InvalidFilter::NotActiveGe,
    ];

    /// The filter text, after `userName sw "<namespace prefix>" and `.
    pub fn clause(self) -> &'static str {
        match self {
            InvalidFilter::ActiveGt => "active gt false",
            InvalidFilter::PrimaryLe => "emails[primary le true]",
            InvalidFilter::NotActiveGe => "not (active ge true)",
        }
    }
}

/// A value a PATCH `remove` targets that is not on the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case")]
pub enum AbsentValue {
    /// `emails[value eq "nobody…@example.com"]`: the filter selects no email.
    UnmatchedEmail,
    /// `nickName`, an attribute the case never sets.
    UnsetAttribute,
}

impl AbsentValue {
    /// Every kind of absent value.
    pub const ALL: [AbsentValue; 2] = [AbsentValue::UnmatchedEmail, AbsentValue::UnsetAttribute];
}

/// Bad credentials a request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case")]
pub enum BadAuth {
    /// No `Authorization` header.
    Missing,
    /// `Authorization: non-token` (Okta SPEC step 11).
    Malformed,
    /// The right scheme with a wrong token.
    WrongToken,
}

/// One step of a fuzz case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, arbitrary::Arbitrary)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum Op {
    /// `POST /Users` with the slot's userName in `spelling` (Okta's create body). If the handle is
    /// live this is a duplicate create and must be refused with 409.
    CreateUser {
        user: UserHandle,
        spelling: Spelling,
    },
    /// `GET /Users/{id}`.
    GetUser { user: UserHandle },
    /// `GET /Users/{bogus}`.
    GetBogusUser { id: BogusId },
    /// Okta's lookup: `GET /Users?filter=userName eq "…"&startIndex=1&count=100`.
    LookupUser {
        user: UserHandle,
        spelling: Spelling,
    },
    /// Okta's path-less `PATCH /Users/{id}` `{"op":"replace","value":{"active":…}}`; with
    /// `capitalised` the op is spelled `Replace` (Entra's habit, valid per RFC 7644 §3.5.2).
    SetActive {
        user: UserHandle,
        active: bool,
        #[serde(default)]
        capitalised: bool,
    },
    /// Okta's profile update: `GET /Users/{id}` then `PUT` of the whole object with one change.
    ReplaceUser {
        user: UserHandle,
        change: UserChange,
    },
    /// `DELETE /Users/{id}`.
    DeleteUser { user: UserHandle },
    /// `GET /Users?…` with a generated filter and paging.
    ListUsers { query: ListQuery },
    /// Okta's import: pages of `page_size` from startIndex 1 until `totalResults` is covered.
    WalkUsers { page_size: u8, namespaced: bool },
    /// `POST /Users` with a truncated JSON body: 400 invalidSyntax.
    MalformedCreate,
    /// A list whose filter orders a boolean: 400 `invalidFilter`.
    ListInvalidFilter { filter: InvalidFilter },
    /// One PATCH with a valid path-less replace of displayName followed by a replace whose value
    /// filter selects nothing (400 noTarget, RFC 7644 §3.5.2.3): nothing may be applied. A GET
    /// afterwards shows the user unchanged.
    PatchAtomicity { user: UserHandle },
    /// A PATCH that cannot apply: 400, and a GET afterwards shows the user unchanged.
    InvalidPatch {
        user: UserHandle,
        kind: InvalidPatch,
    },
    /// GET (note the ETag), PATCH displayName, then PATCH again with the old ETag in `If-Match`:
    /// 412 when the server versions resources (judged only if it sent an ETag).
    StaleWrite { user: UserHandle },
    /// `POST /Groups` with the slot's display name and initial members.
    CreateGroup {
        group: GroupHandle,
        members: Vec<UserHandle>,
    },
    /// `GET /Groups/{id}`.
    GetGroup { group: GroupHandle },
    /// Okta's rename: path-less replace with `{"id":…,"displayName":…}` in the value.
    RenameGroup { group: GroupHandle, suffix: String },
    /// A membership PATCH.
    PatchMembers {
        group: GroupHandle,
        change: MembershipChange,
    },
    /// `DELETE /Groups/{id}`.
    DeleteGroup { group: GroupHandle },
    /// `branches` concurrent creates of one userName, then a lookup: a race of `create-user`
    /// branches, so exactly one create may succeed (race phase only).
    RaceCreate { user: UserHandle, branches: u8 },
    /// Concurrent membership adds of distinct users to one group, then a GET: a race of
    /// `patch-members` add branches, so every add must stick (race phase only).
    RaceAddMembers {
        group: GroupHandle,
        users: Vec<UserHandle>,
    },
    /// `GET /Users?count=1` with bad credentials.
    BadAuthRequest { auth: BadAuth },
    /// 2–4 ordinary single-request ops on one resource (`create-user`, `get-user`, `set-active`,
    /// `delete-user`, `patch-members`, `rename-group`, `get-group`, `delete-group`) sent at once,
    /// then one read of that resource: some order of the branches must explain every response
    /// and the read (race phase only; judged by `check::linearize`).
    Race { branches: Vec<Op> },
    /// `PATCH /Users/{id}` removing a value that is not there, then a GET: nothing may change
    /// (200/204, or 400 noTarget where the profile allows it).
    RemoveAbsent {
        user: UserHandle,
        value: AbsentValue,
    },
    /// `PATCH /Groups/{id}` removing `members[value eq "…"]` of a live user who is not a member,
    /// then a GET of the group: nothing may change.
    RemoveAbsentMember {
        group: GroupHandle,
        user: UserHandle,
    },
    /// Microsoft Entra's `{"op":"Replace","path":"active","value":"False"}` (a string), then a GET,
    /// then the same change as a JSON boolean, so the state is known whatever the server made of
    /// the string. Generated only where the profile's `string_booleans` allows it.
    SetActiveString { user: UserHandle, active: bool },
    /// `PATCH /Users/{id}` adding the user's own primary work email again (the very element the
    /// create sent), then a GET: RFC 7644 §3.5.2.1
    /// says no change SHOULD be made and success SHOULD be returned (no duplicate value).
    AddExistingEmail { user: UserHandle },
    /// `POST /Users` of a free slot whose work email has a non-ASCII local part
    /// (`jörg.weiß.…@example.com`, RFC 6531). RFC 5321 makes ASCII local parts the norm, so a
    /// server may store it as sent (201) or refuse it (400 `invalidValue`); a 5xx is a defect.
    CreateUnicodeEmail { user: UserHandle },
}

impl Op {
    /// The concurrent branches of a race op (`RaceCreate` and `RaceAddMembers` are shorthands
    /// kept for old traces), or `None` for an ordinary op.
    pub fn race_branches(&self) -> Option<Vec<Op>> {
        match self {
            Op::RaceCreate { user, branches } => Some(
                (0..*branches)
                    .map(|_| Op::CreateUser {
                        user: *user,
                        spelling: Spelling::Base,
                    })
                    .collect(),
            ),
            Op::RaceAddMembers { group, users } => Some(
                users
                    .iter()
                    .map(|user| Op::PatchMembers {
                        group: *group,
                        change: MembershipChange::Add { users: vec![*user] },
                    })
                    .collect(),
            ),
            Op::Race { branches } => Some(branches.clone()),
            _ => None,
        }
    }

    /// The tracked attributes the op changes on a resource that already exists (a create sets
    /// them; it does not change them). A server whose schema makes one of them readOnly or
    /// immutable refuses the change, as RFC 7644 §3.5.2 says it must, so such ops are not
    /// generated against it.
    pub fn changes(&self) -> Vec<Tracked> {
        match self {
            Op::SetActive { .. } | Op::SetActiveString { .. } => vec![Tracked::Active],
            Op::ReplaceUser { change, .. } => vec![change.attribute()],
            Op::PatchAtomicity { .. } | Op::StaleWrite { .. } => vec![Tracked::DisplayName],
            Op::RenameGroup { .. } => vec![Tracked::GroupDisplayName],
            Op::PatchMembers { .. } | Op::RaceAddMembers { .. } | Op::RemoveAbsentMember { .. } => {
                vec![Tracked::Members]
            }
            Op::AddExistingEmail { .. }
            | Op::RemoveAbsent {
                value: AbsentValue::UnmatchedEmail,
                ..
            } => vec![Tracked::Emails],
            Op::Race { branches } => branches.iter().flat_map(Op::changes).collect(),
            _ => Vec::new(),
        }
    }

    /// Every name [`Op::kind`] gives, in the order the variants are declared: the one list that
    /// coverage reports and tests go through (a new kind added to `kind` must be added here; the
    /// generator tests fail until it is generated or listed as not generated).
    pub const KINDS: [&'static str; 28] = [
        "create-user",
        "get-user",
        "get-bogus-user",
        "lookup-user",
        "set-active",
        "replace-user",
        "delete-user",
        "list-users",
        "walk-users",
        "malformed-create",
        "list-invalid-filter",
        "patch-atomicity",
        "invalid-patch",
        "stale-write",
        "create-group",
        "get-group",
        "rename-group",
        "patch-members",
        "delete-group",
        "bad-auth",
        "race-create",
        "race-add-members",
        "race",
        "remove-absent",
        "remove-absent-member",
        "set-active-string",
        "add-existing-email",
        "create-unicode-email",
    ];

    /// A short name for the kind of operation (used in summaries and statistics).
    pub fn kind(&self) -> &'static str {
        match self {
            Op::CreateUser { .. } => "create-user",
            Op::GetUser { .. } => "get-user",
            Op::GetBogusUser { .. } => "get-bogus-user",
            Op::LookupUser { .. } => "lookup-user",
            Op::SetActive { .. } => "set-active",
            Op::ReplaceUser { .. } => "replace-user",
            Op::DeleteUser { .. } => "delete-user",
            Op::ListUsers { .. } => "list-users",
            Op::WalkUsers { .. } => "walk-users",
            Op::MalformedCreate => "malformed-create",
            Op::ListInvalidFilter { .. } => "list-invalid-filter",
            Op::PatchAtomicity { .. } => "patch-atomicity",
            Op::InvalidPatch { .. } => "invalid-patch",
            Op::StaleWrite { .. } => "stale-write",
            Op::CreateGroup { .. } => "create-group",
            Op::GetGroup { .. } => "get-group",
            Op::RenameGroup { .. } => "rename-group",
            Op::PatchMembers { .. } => "patch-members",
            Op::DeleteGroup { .. } => "delete-group",
            Op::BadAuthRequest { .. } => "bad-auth",
            Op::RaceCreate { .. } => "race-create",
            Op::RaceAddMembers { .. } => "race-add-members",
            Op::Race { .. } => "race",
            Op::RemoveAbsent { .. } => "remove-absent",
            Op::RemoveAbsentMember { .. } => "remove-absent-member",
            Op::SetActiveString { .. } => "set-active-string",
            Op::AddExistingEmail { .. } => "add-existing-email",
            Op::CreateUnicodeEmail { .. } => "create-unicode-email",
        }
    }
}
