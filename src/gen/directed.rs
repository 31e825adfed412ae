//! The directed first pass: one short case per op kind and per filter operator (each filter with
//! its decoy user beside it), in a fixed order, run before the random search so shallow defects
//! are found in the first seconds whatever the seed. Each case is the few ops that reach its
//! subject: the users (or group) it needs, the op, and the read that shows the result. Only what
//! the configuration allows is built; the runner re-checks every precondition on the model, as
//! for drawn cases, and shrinks a failing case by removing ops.

use super::model_filter::{compare, path_of, telling_variant, user_value};
use super::ops::GenConfig;
use crate::model::{
    AbsentValue, BadAuth, BogusId, GroupHandle, InvalidFilter, InvalidPatch, ListQuery,
    MembershipChange, Op, Spelling, UserChange, UserHandle,
};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};

const ANN: UserHandle = UserHandle(0);
/// `Ann.Leeds`: the decoy of `Ann.Lee` (its userName starts with hers).
const DECOY: UserHandle = UserHandle(1);
const THIRD: UserHandle = UserHandle(2);
const GROUP: GroupHandle = GroupHandle(0);

fn create(user: UserHandle) -> Op {
    Op::CreateUser {
        user,
        spelling: Spelling::Base,
    }
}

fn get(user: UserHandle) -> Op {
    Op::GetUser { user }
}

fn set_active(active: bool, capitalised: bool) -> Op {
    Op::SetActive {
        user: ANN,
        active,
        capitalised,
    }
}

/// Ann and her decoy, then `op`.
fn with_pair(op: Op) -> Vec<Op> {
    vec![create(ANN), create(DECOY), op]
}

/// Ann, then `ops`.
fn with_ann(ops: impl IntoIterator<Item = Op>) -> Vec<Op> {
    std::iter::once(create(ANN)).chain(ops).collect()
}

fn listing(filter: Filter) -> Op {
    Op::ListUsers {
        query: ListQuery {
            filter: Some(filter),
            start_index: None,
            count: None,
            namespaced: true,
        },
    }
}

fn about(attribute: &'static str, op: CompareOp, slot: usize, variant: u8) -> Filter {
    compare(
        path_of(attribute),
        op,
        CompValue::String(user_value(attribute, slot, variant)),
    )
}

/// The directed cases for `config`, in their fixed order: a create and its read, the race cases
/// (repeated by the runner; only when `races`) early, since a server with a race window is slow
/// in every create after, then the rest.
pub fn directed_cases(config: &GenConfig, races: bool) -> Vec<Vec<Op>> {
    let mut users = user_cases(config).into_iter();
    let mut cases: Vec<Vec<Op>> = users.next().into_iter().collect();
    if races {
        cases.extend(race_cases(config));
    }
    cases.extend(users);
    cases.extend(filter_cases(config));
    cases.extend(list_cases());
    if config.patch {
        cases.extend(patch_cases(config));
    }
    if config.groups {
        cases.extend(group_cases(config));
    }
    cases
}

fn user_cases(config: &GenConfig) -> Vec<Vec<Op>> {
    let mut cases = vec![
        with_ann([get(ANN)]),
        with_ann([create(ANN)]),
        with_ann([Op::CreateUser {
            user: ANN,
            spelling: Spelling::Upper,
        }]),
        vec![Op::GetBogusUser {
            id: BogusId::OktaThirtyDigits,
        }],
        vec![Op::GetBogusUser {
            id: BogusId::ReservedCharacters,
        }],
        with_pair(Op::LookupUser {
            user: ANN,
            spelling: Spelling::Base,
        }),
        with_pair(Op::LookupUser {
            user: ANN,
            spelling: Spelling::SwapAscii,
        }),
        vec![Op::MalformedCreate],
        vec![Op::CreateUnicodeEmail { user: ANN }, get(ANN)],
    ];
    for change in [
        UserChange::GivenNameSuffix("update".into()),
        UserChange::DisplayName("Renamed".into()),
        UserChange::DropSecondEmail,
        UserChange::DropExternalId,
    ] {
        cases.push(with_ann([Op::ReplaceUser { user: ANN, change }, get(ANN)]));
    }
    cases.push(with_ann([
        Op::ReplaceUser {
            user: ANN,
            change: UserChange::Active(false),
        },
        get(ANN),
    ]));
    cases.push(with_pair(Op::ReplaceUser {
        user: ANN,
        change: UserChange::TakeUserNameOf(DECOY),
    }));
    if config.delete {
        cases.push(with_ann([Op::DeleteUser { user: ANN }, get(ANN)]));
    }
    if config.bad_auth {
        cases.push(vec![Op::BadAuthRequest {
            auth: BadAuth::Missing,
        }]);
        cases.push(vec![Op::BadAuthRequest {
            auth: BadAuth::WrongToken,
        }]);
    }
    cases
}

/// One listing per operator the configuration allows, with Ann and her decoy on the server and
/// the operator's telling value; then the second email, a value path, `and`, `or` and `not`.
fn filter_cases(config: &GenConfig) -> Vec<Vec<Op>> {
    let allowed = |op: CompareOp| config.filter_operators.iter().any(|k| k == op.keyword());
    let mut cases: Vec<Vec<Op>> = CompareOp::ALL
        .into_iter()
        .filter(|op| allowed(*op))
        .map(|op| {
            let variant = telling_variant("userName", op);
            with_pair(listing(about("userName", op, 0, variant)))
        })
        .collect();
    if allowed(CompareOp::Co) {
        cases.push(with_pair(listing(about(
            "displayName",
            CompareOp::Co,
            0,
            telling_variant("displayName", CompareOp::Co),
        ))));
    }
    if config.filter_operators.iter().any(|k| k == "pr") {
        cases.push(with_pair(listing(Filter::Present(AttrPath::simple(
            "externalId",
        )))));
    }
    // The home address is the second email: a server that filters on the first one misses it.
    let home = about("emails.value", CompareOp::Eq, 0, 0);
    cases.push(with_pair(listing(home.clone())));
    if allowed(CompareOp::Ne) {
        // `ne` on a multi-valued attribute matches a user with any other value (RFC 7644
        // §3.4.2.2): Ann's work address differs from her home one, so she is listed.
        cases.push(with_pair(listing(about(
            "emails.value",
            CompareOp::Ne,
            0,
            0,
        ))));
    }
    if allowed(CompareOp::Ew) {
        cases.push(with_pair(listing(Filter::ValuePath {
            path: AttrPath::simple("emails"),
            filter: Box::new(compare(
                AttrPath::simple("value"),
                CompareOp::Ew,
                CompValue::String(user_value("emails.value", 0, 1)),
            )),
        })));
    }
    let ann = about("userName", CompareOp::Eq, 0, 0);
    let decoy = about("userName", CompareOp::Eq, 1, 0);
    let decoy_family = about("name.familyName", CompareOp::Eq, 1, 0);
    cases.push(with_pair(listing(Filter::And(
        Box::new(ann.clone()),
        Box::new(decoy_family),
    ))));
    cases.push(with_pair(listing(Filter::Or(
        Box::new(ann.clone()),
        Box::new(decoy),
    ))));
    cases.push(with_pair(listing(Filter::Not(Box::new(ann)))));
    cases.push(with_pair(listing(about("userName", CompareOp::Eq, 2, 0))));
    if ["gt", "ge", "lt", "le"]
        .iter()
        .any(|k| config.filter_operators.iter().any(|op| op == k))
    {
        cases.push(with_ann([Op::ListInvalidFilter {
            filter: InvalidFilter::ActiveGt,
        }]));
    }
    cases
}

/// Paging: an import walk one user a page, a page in the middle, a count-only request, and the
/// whole server (predicted only on an exclusive target).
fn list_cases() -> Vec<Vec<Op>> {
    let three = || vec![create(ANN), create(DECOY), create(THIRD)];
    let page = |start_index, count, namespaced| Op::ListUsers {
        query: ListQuery {
            filter: None,
            start_index,
            count,
            namespaced,
        },
    };
    let mut walk = three();
    walk.push(Op::WalkUsers {
        page_size: 1,
        namespaced: true,
    });
    let mut middle = three();
    middle.push(page(Some(2), Some(1), true));
    let mut zero = three();
    zero.push(page(Some(0), Some(0), true));
    let mut whole = three();
    whole.push(Op::WalkUsers {
        page_size: 2,
        namespaced: false,
    });
    vec![walk, middle, zero, whole]
}

fn patch_cases(config: &GenConfig) -> Vec<Vec<Op>> {
    let lookup = Op::LookupUser {
        user: ANN,
        spelling: Spelling::Base,
    };
    let mut cases = vec![
        with_ann([set_active(false, false), get(ANN), lookup]),
        with_ann([set_active(false, false), set_active(true, false), get(ANN)]),
        with_ann([set_active(false, true), get(ANN)]),
        with_ann([Op::PatchAtomicity { user: ANN }]),
        with_ann([Op::InvalidPatch {
            user: ANN,
            kind: InvalidPatch::EmptyOperations,
        }]),
        with_ann([Op::InvalidPatch {
            user: ANN,
            kind: InvalidPatch::UnknownAttribute,
        }]),
        with_ann([Op::AddExistingEmail { user: ANN }]),
    ];
    cases.extend(AbsentValue::ALL.map(|value| with_ann([Op::RemoveAbsent { user: ANN, value }])));
    if config.etag {
        cases.push(with_ann([Op::StaleWrite { user: ANN }]));
    }
    if config.string_booleans {
        for active in [false, true] {
            cases.push(with_ann([
                Op::SetActiveString { user: ANN, active },
                get(ANN),
            ]));
        }
    }
    cases
}

fn group_cases(config: &GenConfig) -> Vec<Vec<Op>> {
    let group_of = |members: Vec<UserHandle>, then: Vec<Op>| {
        let mut ops: Vec<Op> = members.iter().map(|user| create(*user)).collect();
        ops.push(Op::CreateGroup {
            group: GROUP,
            members,
        });
        ops.extend(then);
        ops.push(Op::GetGroup { group: GROUP });
        ops
    };
    let members = |change| Op::PatchMembers {
        group: GROUP,
        change,
    };
    let mut cases = vec![group_of(vec![ANN], Vec::new())];
    if config.patch {
        cases.push(group_of(
            vec![ANN, DECOY],
            vec![members(MembershipChange::Remove { users: vec![ANN] })],
        ));
        cases.push(group_of(
            vec![ANN, DECOY],
            vec![members(MembershipChange::ReplaceAll { users: vec![DECOY] })],
        ));
        cases.push(group_of(
            vec![ANN, DECOY],
            vec![members(MembershipChange::Add { users: vec![ANN] })],
        ));
        let mut add = vec![create(DECOY)];
        add.extend(group_of(
            vec![ANN],
            vec![members(MembershipChange::Add { users: vec![DECOY] })],
        ));
        cases.push(add);
        cases.push(group_of(
            vec![ANN],
            vec![Op::RenameGroup {
                group: GROUP,
                suffix: "Renamed".into(),
            }],
        ));
        let mut absent = vec![create(DECOY)];
        absent.extend(group_of(
            vec![ANN],
            vec![Op::RemoveAbsentMember {
                group: GROUP,
                user: DECOY,
            }],
        ));
        cases.push(absent);
    }
    if config.delete {
        cases.push(group_of(vec![ANN], vec![Op::DeleteUser { user: ANN }]));
        cases.push(vec![
            create(ANN),
            Op::CreateGroup {
                group: GROUP,
                members: vec![ANN],
            },
            Op::DeleteGroup { group: GROUP },
            Op::GetGroup { group: GROUP },
        ]);
    }
    cases
}

/// The widest races: four creates of one userName, and three users added to one group at once.
fn race_cases(config: &GenConfig) -> Vec<Vec<Op>> {
    let mut cases = vec![vec![Op::RaceCreate {
        user: ANN,
        branches: 4,
    }]];
    if config.groups && config.patch {
        let users = vec![ANN, DECOY, THIRD];
        let mut ops: Vec<Op> = users.iter().flat_map(|u| [create(*u), get(*u)]).collect();
        ops.push(Op::CreateGroup {
            group: GROUP,
            members: Vec::new(),
        });
        ops.push(Op::GetGroup { group: GROUP });
        ops.push(Op::RaceAddMembers {
            group: GROUP,
            users,
        });
        cases.push(ops);
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{apply, precondition, resolve, ModelRules, State};
    use std::collections::BTreeSet;

    /// Every op of every directed case applies on the model as written (none is skipped or
    /// re-aimed), and together they cover every op kind the default configuration draws.
    #[test]
    fn every_directed_op_applies_and_every_kind_is_covered() {
        let config = GenConfig {
            string_booleans: true,
            ..GenConfig::default()
        };
        let rules = ModelRules {
            string_booleans: crate::model::StringBooleans::Either,
            ..ModelRules::default()
        };
        let mut kinds = BTreeSet::new();
        for ops in directed_cases(&config, true) {
            let mut state = State::new("7", rules);
            for op in &ops {
                assert!(precondition(&state, op), "{op:?} does not apply in {ops:?}");
                assert_eq!(resolve(&state, op).as_ref(), Some(op), "{op:?} re-aimed");
                state = apply(&state, op).expect("applies").0;
                kinds.insert(op.kind());
            }
        }
        // Every kind but the general race (the race phase sends it) and the Unicode email create.
        let not_required = ["race", "create-unicode-email"];
        for kind in Op::KINDS.iter().filter(|kind| !not_required.contains(kind)) {
            assert!(kinds.contains(kind), "{kind} not directed: {kinds:?}");
        }
        assert!(
            kinds.iter().all(|kind| Op::KINDS.contains(kind)),
            "a kind missing from Op::KINDS: {kinds:?}"
        );
    }

    /// Only what the configuration allows: no PATCH, groups, DELETE or operator it leaves out.
    #[test]
    fn directed_cases_respect_the_configuration() {
        let config = GenConfig {
            patch: false,
            groups: false,
            delete: false,
            bad_auth: false,
            filter_operators: vec!["eq".into()],
            ..GenConfig::default()
        };
        let cases = directed_cases(&config, false);
        let printed = format!("{cases:?}");
        for absent in [
            "SetActive",
            "PatchMembers",
            "Group",
            "DeleteUser",
            "BadAuth",
            "op: Co,",
            "op: Sw,",
        ] {
            assert!(!printed.contains(absent), "{absent} in {printed}");
        }
        assert!(cases.len() > 10, "{} cases", cases.len());
    }
}
