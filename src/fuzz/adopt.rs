//! Reading the server back after a known defect, so the model can adopt what it holds (the rules
//! are in `model::adopt`). Every resource the op touched is read by id; a create that left no id
//! is looked up by the exact name it sent (the server may have stored it despite a wrong answer).
//! The reads are recorded with the step, apart from the op's own exchanges, and judged by nothing.

use serde_json::Value;

use super::exec::{created_id, Executor};
use crate::driver::{encode_component, Call, IdMap, RequestSpec, ResourceKind, TransportError};
use crate::model::{
    adopt_group, adopt_user, touched, GroupHandle, GroupSlot, Op, Spelling, State, UserHandle,
    UserSlot,
};

/// What one read-back says of a resource.
enum Held {
    /// 200 with a JSON object: the resource as the server holds it.
    Live(Value),
    /// 404, or nothing found by name: the server does not hold it.
    Gone,
    /// Anything else: the server's state cannot be learned.
    Unknown,
}

impl Executor<'_> {
    /// The state the server really holds after `op`, starting from the model's prediction `next`;
    /// `None` when a read-back cannot tell (the case then ends without a new finding). The
    /// read-back exchanges are appended to `reads`.
    pub(super) fn adopt(
        &self,
        op: &Op,
        before: &State,
        mut next: State,
        calls: &[Call],
        ids: &mut IdMap,
        reads: &mut Vec<Call>,
    ) -> Result<Option<State>, TransportError> {
        if !self.remove_strays(calls, ids, reads)? {
            return Ok(None);
        }
        let (users, groups) = touched(op);
        for user in users {
            let held = self.read_user(op, before, user, ids, reads)?;
            let template = next
                .live_user(user)
                .or_else(|| before.live_user(user))
                .cloned()
                .unwrap_or_else(|| before.new_user_record(user, Spelling::Base));
            match held {
                Held::Live(body) => {
                    next.users
                        .insert(user, UserSlot::Live(adopt_user(&template, &body)));
                }
                // A live user gone without a delete is hidden, not deleted: the model cannot
                // follow (Okta's deactivated users stay readable; a 404 there is its own defect).
                Held::Gone if before.live_user(user).is_some() && !deletes_user(op, user) => {
                    return Ok(None)
                }
                Held::Gone if ids.id(ResourceKind::User, user.0).is_some() => {
                    next.users.insert(user, UserSlot::Deleted);
                }
                Held::Gone => {
                    next.users.remove(&user);
                }
                Held::Unknown => return Ok(None),
            }
        }
        for group in groups {
            match self.read_group(op, before, group, ids, reads)? {
                Held::Live(body) => {
                    let slot_of = |id: &str| ids.slot_of(ResourceKind::User, id);
                    let record = adopt_group(&body, slot_of);
                    next.groups.insert(group, GroupSlot::Live(record));
                }
                Held::Gone if ids.id(ResourceKind::Group, group.0).is_some() => {
                    next.groups.insert(group, GroupSlot::Deleted);
                }
                Held::Gone => {
                    next.groups.remove(&group);
                }
                Held::Unknown => return Ok(None),
            }
        }
        Ok(Some(next))
    }

    /// Deletes what the op created without a handle (a duplicate the server accepted), so the
    /// server holds again only what the model knows; `false` if the server refuses.
    fn remove_strays(
        &self,
        calls: &[Call],
        ids: &IdMap,
        reads: &mut Vec<Call>,
    ) -> Result<bool, TransportError> {
        for call in calls.iter().filter(|call| call.request.method == "POST") {
            let Some(id) = created_id(call) else { continue };
            let kind = if call.request.url.contains("/Groups") {
                ResourceKind::Group
            } else {
                ResourceKind::User
            };
            if ids.slot_of(kind, &id).is_some() {
                continue;
            }
            let path = format!("{}/{}", kind.endpoint(), encode_component(&id));
            let call = self
                .runtime
                .block_on(self.driver.send(&RequestSpec::delete(path)))?;
            let status = call.response.status;
            reads.push(call);
            if !(200..300).contains(&status) && status != 404 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn read_user(
        &self,
        op: &Op,
        before: &State,
        user: UserHandle,
        ids: &mut IdMap,
        reads: &mut Vec<Call>,
    ) -> Result<Held, TransportError> {
        if let Some(id) = ids.id(ResourceKind::User, user.0) {
            let path = format!("/Users/{}", encode_component(id));
            return self.read(&path, reads).map(by_id);
        }
        let Some(spelling) = creates_user(op, user) else {
            return Ok(Held::Gone);
        };
        let name = before.user_name(user, spelling);
        let filter = encode_component(&format!("userName eq \"{name}\""));
        let held = by_name(self.read(&format!("/Users?filter={filter}"), reads)?);
        if let Held::Live(body) = &held {
            if let Some(id) = body.get("id").and_then(Value::as_str) {
                ids.assign(ResourceKind::User, user.0, id.to_string());
            }
        }
        Ok(held)
    }

    fn read_group(
        &self,
        op: &Op,
        before: &State,
        group: GroupHandle,
        ids: &mut IdMap,
        reads: &mut Vec<Call>,
    ) -> Result<Held, TransportError> {
        if let Some(id) = ids.id(ResourceKind::Group, group.0) {
            let path = format!("/Groups/{}", encode_component(id));
            return self.read(&path, reads).map(by_id);
        }
        if !matches!(op, Op::CreateGroup { group: created, .. } if *created == group) {
            return Ok(Held::Gone);
        }
        let name = before.base_group_name(group);
        let filter = encode_component(&format!("displayName eq \"{name}\""));
        let held = by_name(self.read(&format!("/Groups?filter={filter}"), reads)?);
        if let Held::Live(body) = &held {
            if let Some(id) = body.get("id").and_then(Value::as_str) {
                ids.assign(ResourceKind::Group, group.0, id.to_string());
            }
        }
        Ok(held)
    }

    fn read(&self, path: &str, reads: &mut Vec<Call>) -> Result<Call, TransportError> {
        let call = self.send(&RequestSpec::get(path))?;
        reads.push(call.clone());
        Ok(call)
    }
}

/// Whether `op` (or one of its race branches) deletes `user`.
fn deletes_user(op: &Op, user: UserHandle) -> bool {
    let branches = op.race_branches().unwrap_or_else(|| vec![op.clone()]);
    branches
        .iter()
        .any(|branch| matches!(branch, Op::DeleteUser { user: deleted } if *deleted == user))
}

/// The spelling `op` (or one of its race branches) creates `user` with, if it creates it.
fn creates_user(op: &Op, user: UserHandle) -> Option<Spelling> {
    let branches = op.race_branches().unwrap_or_else(|| vec![op.clone()]);
    branches.iter().find_map(|branch| match branch {
        Op::CreateUser {
            user: created,
            spelling,
        } if *created == user => Some(*spelling),
        Op::CreateUnicodeEmail { user: created } if *created == user => Some(Spelling::Base),
        _ => None,
    })
}

fn by_id(call: Call) -> Held {
    match (call.response.status, call.response.json()) {
        (200, Some(body)) if body.is_object() => Held::Live(body),
        (404, _) => Held::Gone,
        _ => Held::Unknown,
    }
}

/// A lookup by exact name: one match is the resource, none is gone, anything else is unknown.
fn by_name(call: Call) -> Held {
    let Some(body) = call.response.json().filter(|_| call.response.status == 200) else {
        return Held::Unknown;
    };
    let resources = body.get("Resources").and_then(Value::as_array);
    match resources.map(Vec::as_slice) {
        None | Some([]) => Held::Gone,
        Some([only]) if only.is_object() => Held::Live(only.clone()),
        Some(_) => Held::Unknown,
    }
}
