//! The reference state machine: state keyed by symbolic handles, `apply(&State, &Op) -> (State,
//! Expected)`, the behaviour compiled from the profiles in `models/*.toml`, and arbitrary
//! (fuzzable) ops.

mod adopt;
mod apply;
mod arbitrary_ops;
mod expected;
mod filter_eval;
mod op;
mod profile;
mod resolve;
mod state;
mod text;

pub use adopt::{adopt_group, adopt_user, touched};
pub use apply::{
    apply, effective_members, live_members, precondition, race_read, MAX_RACE_BRANCHES,
};
pub use expected::{Expected, ListExpectation};
pub use filter_eval::{
    effective_filter, evaluate, list_expectation, namespace_confinement, substitute, user_name_eq,
};
pub use op::{
    AbsentValue, BadAuth, BogusId, GroupHandle, InvalidFilter, InvalidPatch, ListQuery,
    MembershipChange, Op, Spelling, UserChange, UserHandle, NAMESPACE_TOKEN,
};
pub use profile::{
    load_profile, Behaviour, Level, ProfileError, RemoveAbsent, StringBooleans, BUILT_IN,
};
pub use resolve::resolve;
pub use state::{
    unicode_email, GroupRecord, GroupSlot, ModelRules, State, UserRecord, UserSlot, GROUP_SLOTS,
    GROUP_WORDS, USER_SLOTS, USER_WORDS,
};
pub use text::{eq_ignore_case, loose_key, spell, Tri, UnicodeFolding};
