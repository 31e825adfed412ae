//! The store's rules: atomic caseless uniqueness, creation order, versions and If-Match,
//! membership and userName indexes kept in step with every write (example tests and a
//! property test over random write sequences).

use super::*;
use serde_json::json;

fn user(name: &str) -> Map<String, Value> {
    json!({ "userName": name }).as_object().cloned().unwrap()
}

fn correct_store() -> Store {
    Store::new(&FaultSet::new(&[]))
}

#[test]
fn a_username_taken_in_another_case_is_refused_with_its_holder() {
    let store = correct_store();
    let first = store
        .insert(Kind::User, store.prepare(user("Alice@Example.com")), true)
        .unwrap();
    let refused = store.insert(Kind::User, store.prepare(user("alice@example.COM")), true);
    assert_eq!(refused.unwrap_err().id, first.id);
}

#[test]
fn records_are_listed_in_creation_order_and_versions_grow() {
    let store = correct_store();
    let ids: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            store
                .insert(Kind::User, store.prepare(user(n)), true)
                .unwrap()
                .id
        })
        .collect();
    let listed: Vec<String> =
        store.read(|view| view.iter(Kind::User).map(|r| r.id.clone()).collect());
    assert_eq!(listed, ids);
    let updated = store
        .update(Kind::User, &ids[0], None, |r, _| Ok(r.body.clone()))
        .unwrap();
    assert_eq!(updated.etag(), "W/\"2\"");
}

#[test]
fn a_stale_if_match_is_a_412_and_a_current_one_passes() {
    let store = correct_store();
    let id = store
        .insert(Kind::User, store.prepare(user("a")), true)
        .unwrap()
        .id;
    let stale = store.update(Kind::User, &id, Some("W/\"7\""), |r, _| Ok(r.body.clone()));
    assert_eq!(stale.unwrap_err().status.as_u16(), 412);
    assert!(store
        .update(Kind::User, &id, Some("W/\"1\""), |r, _| Ok(r.body.clone()))
        .is_ok());
}

#[test]
fn renaming_onto_a_taken_username_is_a_409_and_frees_nothing() {
    let store = correct_store();
    store
        .insert(Kind::User, store.prepare(user("taken")), true)
        .unwrap();
    let id = store
        .insert(Kind::User, store.prepare(user("mine")), true)
        .unwrap()
        .id;
    let err = store
        .update(Kind::User, &id, None, |_, _| Ok(user("TAKEN")))
        .unwrap_err();
    assert_eq!(err.status.as_u16(), 409);
    assert!(store.find_user_by_username("mine").is_some());
}

#[test]
fn a_users_groups_follow_every_membership_change() {
    let store = correct_store();
    let uid = store
        .insert(Kind::User, store.prepare(user("u")), true)
        .unwrap()
        .id;
    let with_member = |name: &str, members: Value| {
        json!({ "displayName": name, "members": members })
            .as_object()
            .cloned()
            .unwrap()
    };
    let group_names = |store: &Store| -> Vec<String> {
        store.read(|view| {
            view.groups_of(&uid)
                .iter()
                .map(|g| g.name.to_string())
                .collect()
        })
    };
    let a = store
        .insert(
            Kind::Group,
            store.prepare(with_member("a", json!([{ "value": uid }]))),
            false,
        )
        .unwrap()
        .id;
    let b = store
        .insert(
            Kind::Group,
            store.prepare(with_member("b", json!([{ "value": uid }]))),
            false,
        )
        .unwrap()
        .id;
    assert_eq!(group_names(&store), ["a", "b"]);
    store
        .update(Kind::Group, &a, None, |_, _| {
            Ok(with_member("a", json!([])))
        })
        .unwrap();
    assert_eq!(group_names(&store), ["b"]);
    store.delete(Kind::Group, &b, None).unwrap();
    assert!(group_names(&store).is_empty());
}

#[test]
fn deleting_a_user_removes_it_from_groups_and_frees_its_username() {
    let store = correct_store();
    let uid = store
        .insert(Kind::User, store.prepare(user("u")), true)
        .unwrap()
        .id;
    let group = json!({ "displayName": "g", "members": [{ "value": uid }] });
    let gid = store
        .insert(
            Kind::Group,
            store.prepare(group.as_object().cloned().unwrap()),
            false,
        )
        .unwrap()
        .id;
    store.delete(Kind::User, &uid, None).unwrap();
    let group = store.get(Kind::Group, &gid).unwrap();
    assert_eq!(member_values(&group.body).count(), 0);
    assert_eq!(group.version, 2);
    assert!(store.find_user_by_username("u").is_none());
}

/// One write against the store; indexes pick users and groups among those alive.
#[derive(Debug, Clone)]
enum Write {
    CreateUser(usize),
    RenameUser(usize, usize),
    DeleteUser(usize),
    CreateGroup(Vec<usize>),
    SetMembers(usize, Vec<usize>),
    DeleteGroup(usize),
}

/// userNames that collide caselessly in pairs.
const NAMES: [&str; 6] = ["ann", "ANN", "Bob", "bob", "cy", "Dee"];

fn write_strategy() -> impl proptest::strategy::Strategy<Value = Write> {
    use proptest::prelude::*;
    let members = || proptest::collection::vec(0usize..8, 0..4);
    prop_oneof![
        (0..NAMES.len()).prop_map(Write::CreateUser),
        (0usize..8, 0..NAMES.len()).prop_map(|(u, n)| Write::RenameUser(u, n)),
        (0usize..8).prop_map(Write::DeleteUser),
        members().prop_map(Write::CreateGroup),
        (0usize..4, members()).prop_map(|(g, m)| Write::SetMembers(g, m)),
        (0usize..4).prop_map(Write::DeleteGroup),
    ]
}

fn group_body(member_ids: &[String]) -> Map<String, Value> {
    let members: Vec<Value> = member_ids.iter().map(|id| json!({ "value": id })).collect();
    json!({ "displayName": "g", "members": members })
        .as_object()
        .cloned()
        .unwrap()
}

fn apply(store: &Store, write: &Write) {
    let ids = |kind| store.read(|view| view.iter(kind).map(|r| r.id.clone()).collect::<Vec<_>>());
    let (users, groups) = (ids(Kind::User), ids(Kind::Group));
    let pick = |list: &[String], n: usize| (!list.is_empty()).then(|| list[n % list.len()].clone());
    let members = |picks: &[usize]| -> Vec<String> {
        picks.iter().filter_map(|n| pick(&users, *n)).collect()
    };
    match write {
        Write::CreateUser(n) => {
            let _ = store.insert(Kind::User, store.prepare(user(NAMES[*n])), true);
        }
        Write::RenameUser(u, n) => {
            if let Some(id) = pick(&users, *u) {
                let _ = store.update(Kind::User, &id, None, |_, _| Ok(user(NAMES[*n])));
            }
        }
        Write::DeleteUser(u) => {
            if let Some(id) = pick(&users, *u) {
                store.delete(Kind::User, &id, None).unwrap();
            }
        }
        Write::CreateGroup(picks) => {
            store
                .insert(
                    Kind::Group,
                    store.prepare(group_body(&members(picks))),
                    false,
                )
                .unwrap();
        }
        Write::SetMembers(g, picks) => {
            if let Some(id) = pick(&groups, *g) {
                let body = group_body(&members(picks));
                store
                    .update(Kind::Group, &id, None, |_, _| Ok(body))
                    .unwrap();
            }
        }
        Write::DeleteGroup(g) => {
            if let Some(id) = pick(&groups, *g) {
                store.delete(Kind::Group, &id, None).unwrap();
            }
        }
    }
}

/// The indexes agree with a full scan: each user's groups, each userName's holder, and
/// userNames stay caselessly unique; no group lists a deleted user.
fn check_indexes(store: &Store) -> Result<(), String> {
    store.read(|view| {
        let groups: Vec<Record> = view.iter(Kind::Group).map(Stored::to_record).collect();
        let mut folded = std::collections::HashSet::new();
        for user in view.iter(Kind::User) {
            let scanned: Vec<&str> = groups
                .iter()
                .filter(|g| member_values(&g.body).any(|m| m == user.id))
                .map(|g| g.id.as_str())
                .collect();
            let indexed: Vec<&str> = view
                .groups_of(&user.id)
                .iter()
                .map(|g| g.id.as_str())
                .collect();
            if scanned != indexed {
                return Err(format!(
                    "groups of {}: scan {scanned:?}, index {indexed:?}",
                    user.id
                ));
            }
            let named: Vec<&str> = view
                .users_named(&user.name)
                .iter()
                .map(|u| u.id.as_str())
                .collect();
            if named != [user.id.as_str()] || !folded.insert(user.name.to_lowercase()) {
                return Err(format!("userName {} is held by {named:?}", user.name));
            }
        }
        for group in &groups {
            if let Some(ghost) =
                member_values(&group.body).find(|m| view.get(Kind::User, m).is_none())
            {
                return Err(format!("group {} lists deleted user {ghost}", group.id));
            }
        }
        Ok(())
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn indexes_stay_in_step_with_every_write(writes in proptest::collection::vec(write_strategy(), 1..40)) {
        let store = correct_store();
        for write in &writes {
            apply(&store, write);
            if let Err(problem) = check_indexes(&store) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("after {write:?}: {problem}")));
            }
        }
    }
}
