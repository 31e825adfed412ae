//! Group push as Okta sends it (Okta SCIM 2.0 reference, Group operations; Okta OIN test plan C9312–C9333): create an empty
//! group and one with members, find it by displayName, one membership PATCH holding several
//! removes by value filter plus an add, a path-less rename carrying the id, "Push Now" replacing
//! every member, and DELETE → 204. OIN apps change membership and names with PATCH; AIW apps PUT
//! the whole group.

use serde_json::Value;

use super::bodies::{
    group_body, member, member_ids, membership_delta_patch, okta_create_body, rename_patch,
    replace_members_patch,
};
use super::crud::Mode;
use super::session::{body_id, listed_ids, okta_request, Check, Session};
use crate::conformance::outcome::SuiteResult;
use crate::conformance::url::{encode_component, eq_filter_query};
use crate::driver::{Method, TransportError};

/// The suite's name in reports for a mode.
pub fn suite_name(mode: Mode) -> String {
    match mode {
        Mode::Oin => "Group push (OIN: PATCH)".into(),
        Mode::Aiw => "Group push (AIW: PUT)".into(),
    }
}

/// A user that group pushes reference: its SCIM id and userName (Okta's member `display`).
#[derive(Debug, Clone)]
struct Member {
    id: String,
    user_name: String,
}

impl Member {
    fn reference(&self) -> Value {
        member(&self.id, &self.user_name)
    }
}

struct GroupRun<'s, 'a> {
    session: &'s mut Session<'a>,
    mode: Mode,
    suite: &'s mut SuiteResult,
}

/// Runs group push in one mode with four fresh users into `suite` (named [`suite_name`]);
/// everything it creates is deleted by the suite itself or, failing that, by the final cleanup.
pub fn run_groups(
    session: &mut Session<'_>,
    mode: Mode,
    suite: &mut SuiteResult,
) -> Result<(), TransportError> {
    let mut run = GroupRun {
        session,
        mode,
        suite,
    };
    let Some(users) = run.create_members()? else {
        return Ok(());
    };
    let empty_name = run.session.names.group_name();
    let empty = run.create_group("g1", &empty_name, &[])?;
    let named = format!("{} Engineering", run.session.names.group_name());
    let pushed = run.create_group("g2", &named, &users[..3])?;
    match &empty {
        Some(id) => run.find_by_name(id, &empty_name)?,
        None => run.skip("g3", "needs the group of step g1"),
    }
    let Some(group) = pushed else {
        for step in ["g4", "g5", "g6", "g7"] {
            run.skip(step, "needs the group of step g2");
        }
        return Ok(());
    };
    run.membership_delta(&group, &named, &users)?;
    let renamed = format!("{named} Renamed");
    run.rename(&group, &renamed, &users[2..])?;
    run.push_now(&group, &renamed, &users[..2])?;
    run.delete(&group, empty.as_deref())?;
    Ok(())
}

impl GroupRun<'_, '_> {
    fn skip(&mut self, step: &str, reason: &str) {
        self.suite
            .steps
            .push(Check::skipped(step, "group push step", reason));
    }

    /// Four users to push (Okta pushes only users assigned to the app, so they exist first).
    fn create_members(&mut self) -> Result<Option<Vec<Member>>, TransportError> {
        let mut check = Check::new("g0", "Setup: four assigned users to push as members");
        let mut users = Vec::new();
        for _ in 0..4 {
            let person = self.session.names.person();
            let external_id = self.session.names.okta_user_id();
            let password = self.session.names.password();
            let body = okta_create_body(&person, &external_id, &password);
            let call = self
                .session
                .send(&okta_request(Method::Post, "/Users", Some(body)))?;
            if check.status(&call, &[201]) {
                if let Some(id) = body_id(&call) {
                    self.session.created_user(&id);
                    users.push(Member {
                        id,
                        user_name: person.email,
                    });
                }
            }
        }
        let ready = users.len() == 4;
        check.require(ready, "users created", "4", users.len().to_string());
        self.suite.steps.push(check.finish());
        Ok(ready.then_some(users))
    }

    /// `POST /Groups` (C9317 empty, C9312 with members) → 201 with an id and the members echoed.
    fn create_group(
        &mut self,
        step: &str,
        name: &str,
        members: &[Member],
    ) -> Result<Option<String>, TransportError> {
        let title = if members.is_empty() {
            "Push an empty group: POST /Groups members [] → 201"
        } else {
            "Push a group with members: POST /Groups → 201, members echoed"
        };
        let references: Vec<Value> = members.iter().map(Member::reference).collect();
        let body = group_body(name, &references);
        let call = self
            .session
            .send(&okta_request(Method::Post, "/Groups", Some(body)))?;
        let mut check = Check::new(step, title);
        let id = body_id(&call).filter(|_| call.response.status < 300);
        if let Some(id) = &id {
            self.session.created_group(id);
        }
        if check.status(&call, &[201]) {
            check.require(id.is_some(), "id", "a non-empty id", "none");
            let echoed = sorted(member_ids(&call.response.json().unwrap_or(Value::Null)));
            let sent = sorted(members.iter().map(|m| m.id.clone()).collect());
            check.require(
                echoed == sent,
                "members",
                format!("{sent:?}"),
                format!("{echoed:?}"),
            );
        }
        self.suite.steps.push(check.finish());
        Ok(id)
    }

    /// `GET /Groups?filter=displayName eq "…"&startIndex=1&count=100` finds exactly the group.
    fn find_by_name(&mut self, id: &str, name: &str) -> Result<(), TransportError> {
        let path = format!(
            "/Groups?{}",
            eq_filter_query("displayName", name, "startIndex=1&count=100")
        );
        let call = self.session.send(&okta_request(Method::Get, path, None))?;
        let mut check = Check::new("g3", "Link group: the displayName filter finds the group");
        if check.status(&call, &[200]) {
            let ids = listed_ids(&call.response.json().unwrap_or(Value::Null));
            check.require(
                ids == [id.to_string()],
                "Resources ids",
                format!("[\"{id}\"]"),
                format!("{ids:?}"),
            );
        }
        self.suite.steps.push(check.finish());
        Ok(())
    }

    /// C9332/C9333: of members 1–3, members 1 and 2 leave and member 4 arrives, in one request;
    /// member 3 must stay (a `remove` by value filter removes only the matching member).
    fn membership_delta(
        &mut self,
        group: &str,
        name: &str,
        users: &[Member],
    ) -> Result<(), TransportError> {
        let mut check = match self.mode {
            Mode::Oin => Check::new(
                "g4",
                "Membership delta: one PATCH with two removes by members[value eq …] and an add",
            ),
            Mode::Aiw => Check::new(
                "g4",
                "Membership update: PUT the group with the new members",
            ),
        };
        let call = match self.mode {
            Mode::Oin => {
                let patch =
                    membership_delta_patch(&[&users[0].id, &users[1].id], &[users[3].reference()]);
                self.session
                    .send(&okta_request(Method::Patch, group_path(group), Some(patch)))?
            }
            Mode::Aiw => {
                let body = group_body(name, &[users[2].reference(), users[3].reference()]);
                self.session
                    .send(&okta_request(Method::Put, group_path(group), Some(body)))?
            }
        };
        if check.status(&call, self.write_statuses()) {
            self.expect_group(&mut check, group, name, &[&users[2].id, &users[3].id])?;
        }
        self.suite.steps.push(check.finish());
        Ok(())
    }

    /// C9315: the rename Okta sends with every membership update: a path-less replace whose
    /// value carries the id (OIN), or a PUT (AIW).
    fn rename(
        &mut self,
        group: &str,
        renamed: &str,
        kept: &[Member],
    ) -> Result<(), TransportError> {
        let references: Vec<Value> = kept.iter().map(Member::reference).collect();
        let kept_ids: Vec<&str> = kept.iter().map(|m| m.id.as_str()).collect();
        let mut check = match self.mode {
            Mode::Oin => Check::new(
                "g5",
                "Rename: path-less PATCH replace {id, displayName} → 200/204, name changes",
            ),
            Mode::Aiw => Check::new("g5", "Rename: PUT with the new displayName → 200"),
        };
        let call = match self.mode {
            Mode::Oin => self.session.send(&okta_request(
                Method::Patch,
                group_path(group),
                Some(rename_patch(group, renamed)),
            ))?,
            Mode::Aiw => self.session.send(&okta_request(
                Method::Put,
                group_path(group),
                Some(group_body(renamed, &references)),
            ))?,
        };
        if check.status(&call, self.write_statuses()) {
            self.expect_group(&mut check, group, renamed, &kept_ids)?;
        }
        self.suite.steps.push(check.finish());
        Ok(())
    }

    /// C9316 "Push Now": the member list is overwritten with exactly Okta's members.
    fn push_now(
        &mut self,
        group: &str,
        name: &str,
        members: &[Member],
    ) -> Result<(), TransportError> {
        let references: Vec<Value> = members.iter().map(Member::reference).collect();
        let mut check = match self.mode {
            Mode::Oin => Check::new(
                "g6",
                "Push Now: PATCH replace members with Okta's full list",
            ),
            Mode::Aiw => Check::new("g6", "Push Now: PUT the group with Okta's full member list"),
        };
        let call = match self.mode {
            Mode::Oin => self.session.send(&okta_request(
                Method::Patch,
                group_path(group),
                Some(replace_members_patch(&references)),
            ))?,
            Mode::Aiw => self.session.send(&okta_request(
                Method::Put,
                group_path(group),
                Some(group_body(name, &references)),
            ))?,
        };
        if check.status(&call, self.write_statuses()) {
            let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
            self.expect_group(&mut check, group, name, &ids)?;
        }
        self.suite.steps.push(check.finish());
        Ok(())
    }

    /// C9318: unlink with "delete the group in the target app": DELETE → 204, then 404.
    fn delete(&mut self, group: &str, empty: Option<&str>) -> Result<(), TransportError> {
        let mut check = Check::new(
            "g7",
            "Unlink and delete: DELETE /Groups/{id} → 204, then 404",
        );
        for id in std::iter::once(group).chain(empty) {
            let call = self
                .session
                .send(&okta_request(Method::Delete, group_path(id), None))?;
            if check.status(&call, &[204]) {
                self.session.deleted_group(id);
            }
        }
        let gone = self
            .session
            .send(&okta_request(Method::Get, group_path(group), None))?;
        check.status(&gone, &[404]);
        self.suite.steps.push(check.finish());
        Ok(())
    }

    /// PATCH may answer 200 or 204 (Okta SCIM 2.0 reference, Update a specific Group membership); PUT answers 200.
    fn write_statuses(&self) -> &'static [u16] {
        match self.mode {
            Mode::Oin => &[200, 204],
            Mode::Aiw => &[200],
        }
    }

    /// Okta's follow-up `GET /Groups/{id}`: the group has `name` and exactly `members`.
    fn expect_group(
        &mut self,
        check: &mut Check,
        group: &str,
        name: &str,
        members: &[&str],
    ) -> Result<(), TransportError> {
        let call = self
            .session
            .send(&okta_request(Method::Get, group_path(group), None))?;
        if check.status(&call, &[200]) {
            let body = call.response.json().unwrap_or(Value::Null);
            let shown = body
                .get("displayName")
                .and_then(Value::as_str)
                .unwrap_or("");
            check.require(
                shown == name,
                "displayName",
                format!("\"{name}\""),
                format!("\"{shown}\""),
            );
            let actual = sorted(member_ids(&body));
            let wanted = sorted(members.iter().map(|id| id.to_string()).collect());
            check.require(
                actual == wanted,
                "members",
                format!("{wanted:?}"),
                format!("{actual:?}"),
            );
        }
        Ok(())
    }
}

fn group_path(id: &str) -> String {
    format!("/Groups/{}", encode_component(id))
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}
