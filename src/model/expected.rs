//! What the model says an operation's response(s) may be. Each variant lists the acceptable
//! outcomes (e.g. a PATCH may answer 200 with the resource or 204) and the content the response
//! must carry; `check` compares a response with it.

use serde::{Deserialize, Serialize};

use super::op::{GroupHandle, UserHandle};
use super::state::{GroupRecord, ModelRules, State, UserRecord};

/// The acceptable outcome of one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Expected {
    /// `201 Created` with the new user (and a `Location`).
    UserCreated {
        user: UserHandle,
        record: UserRecord,
    },
    /// `409 Conflict`, `scimType: uniqueness`.
    Conflict,
    /// `404 Not Found` with a SCIM Error body.
    NotFound,
    /// `200 OK` with this user.
    UserRead {
        user: UserHandle,
        record: UserRecord,
    },
    /// `200 OK` with the modified user, or `204 No Content`.
    UserPatched {
        user: UserHandle,
        record: UserRecord,
    },
    /// Okta's GET-then-PUT: the GET answers `before`, the PUT `200 OK` with `after`.
    UserReplaced {
        user: UserHandle,
        before: UserRecord,
        after: UserRecord,
    },
    /// Okta's GET-then-PUT refused: the GET answers `before`, the PUT `409` (uniqueness).
    ReplaceRefused {
        user: UserHandle,
        before: UserRecord,
    },
    /// Pages of a walk: each page a ListResponse, together every match exactly once.
    Walked(ListExpectation),
    /// `400 Bad Request` with a SCIM Error body.
    BadRequest,
    /// A PATCH that must fail as a whole (400), then a GET showing `record` unchanged.
    PatchRejected {
        user: UserHandle,
        record: UserRecord,
    },
    /// GET `before`, PATCH to `after`, then a stale If-Match write answered 412.
    StaleWrite {
        user: UserHandle,
        before: UserRecord,
        after: UserRecord,
    },
    /// Concurrent branches (a race op): some order of them, applied to `before` with the model,
    /// must explain every response and the read after them (judged by `check::linearize`).
    /// Traces of older versions name it `race-created` or `race-members`. `before` is not written
    /// to traces (its handle-keyed maps cannot round-trip inside a tagged enum); replay re-runs
    /// the race from its ops.
    #[serde(alias = "race-created", alias = "race-members")]
    Linearizable {
        #[serde(skip, default = "unknown_state")]
        before: Box<State>,
    },
    /// `412 Precondition Failed`.
    PreconditionFailed,
    /// `204 No Content` (a 200 is a deviation, judged by the profile).
    Deleted,
    /// A `200 OK` ListResponse.
    Listed(ListExpectation),
    /// `201 Created` with the new group.
    GroupCreated {
        group: GroupHandle,
        record: GroupRecord,
    },
    /// `200 OK` with this group.
    GroupRead {
        group: GroupHandle,
        record: GroupRecord,
    },
    /// `200 OK` with the modified group (members may be omitted), or `204 No Content`.
    GroupPatched {
        group: GroupHandle,
        record: GroupRecord,
    },
    /// `401 Unauthorized` with a SCIM Error body.
    Unauthorized,
    /// A PATCH that must change nothing (a remove of a value that is not there, an add of a value
    /// already there): `200` with the unchanged resource or `204` (or `400` with scimType noTarget
    /// when `no_target_allowed`); then a GET answers `read` (a [`Expected::UserRead`] or
    /// [`Expected::GroupRead`] of the unchanged resource).
    NothingChanged {
        read: Box<Expected>,
        no_target_allowed: bool,
    },
    /// A PATCH sending `active` as a string: stored as the boolean it names (`after`), or — unless
    /// `must_accept` — refused with `400` invalidValue (`before` stays); a GET shows which; then
    /// the same change as a JSON boolean answers `after`.
    StringBoolean {
        user: UserHandle,
        before: UserRecord,
        after: UserRecord,
        must_accept: bool,
    },
    /// A create the server may refuse: `201 Created` with `record` (the slot becomes live), or
    /// `400` (invalidValue) and nothing is created.
    CreatedOrRefused {
        user: UserHandle,
        record: UserRecord,
    },
}

/// What a list response must contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListExpectation {
    /// Users that every correct server returns (before paging).
    pub must: Vec<UserHandle>,
    /// Users a correct server may or may not return (Unicode folding is server-dependent).
    pub may: Vec<UserHandle>,
    /// The effective 1-based start index (values below 1 count as 1).
    pub start_index: u64,
    /// The requested page size, if any (0 asks for the count only).
    pub count: Option<u64>,
    /// Whether `totalResults` is predictable: the query is confined to the case's namespace or the
    /// target is exclusive. Otherwise other data on the server may add matches.
    pub total_predictable: bool,
}

impl ListExpectation {
    /// The smallest and largest acceptable `totalResults`.
    pub fn total_range(&self) -> (u64, u64) {
        let must = self.must.len() as u64;
        (must, must + self.may.len() as u64)
    }

    /// Whether a user is acceptable in the result.
    pub fn allows(&self, user: UserHandle) -> bool {
        self.must.contains(&user) || self.may.contains(&user)
    }
}

impl Expected {
    /// The HTTP statuses that are acceptable, in order of preference.
    pub fn statuses(&self) -> &'static [u16] {
        match self {
            Expected::UserCreated { .. } | Expected::GroupCreated { .. } => &[201],
            Expected::Conflict => &[409],
            Expected::NotFound => &[404],
            Expected::UserRead { .. }
            | Expected::UserReplaced { .. }
            | Expected::Listed(_)
            | Expected::GroupRead { .. } => &[200],
            Expected::UserPatched { .. } | Expected::GroupPatched { .. } => &[200, 204],
            Expected::Deleted => &[204],
            Expected::Unauthorized => &[401],
            Expected::BadRequest => &[400],
            Expected::PreconditionFailed => &[412],
            Expected::ReplaceRefused { .. }
            | Expected::Walked(_)
            | Expected::PatchRejected { .. }
            | Expected::StaleWrite { .. } => &[200],
            // Each branch is judged by its own expectation in the order that explains the race.
            Expected::Linearizable { .. } => &[200, 201, 204, 404, 409],
            Expected::NothingChanged {
                no_target_allowed: true,
                ..
            } => &[200, 204, 400],
            Expected::NothingChanged { .. } => &[200, 204],
            Expected::StringBoolean {
                must_accept: false, ..
            } => &[200, 204, 400],
            Expected::StringBoolean { .. } => &[200, 204],
            Expected::CreatedOrRefused { .. } => &[201, 400],
        }
    }
}

/// The state of a race step read back from a trace (traces do not carry it).
fn unknown_state() -> Box<State> {
    Box::new(State::new("", ModelRules::default()))
}
