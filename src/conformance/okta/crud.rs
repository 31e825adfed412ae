//! The CRUD lifecycle as the SCIM server sees it when Okta's CRUD test drives an Okta org
//! (Okta's CRUD test and the Okta SCIM 2.0 reference): the lookup-then-create of an assignment, the GET-then-PUT
//! profile update, deactivation, "deactivated is not deleted" reads, reactivation of the same
//! resource, and unassignment. Steps keep the numbers of Okta's CRUD file (its SCIM-side checks)
//! with a letter for the traffic between them. Two modes: OIN apps (de)activate with a path-less
//! PATCH, AIW apps with a full PUT.

use serde_json::{json, Value};

use super::bodies::{okta_create_body, okta_put_body, pathless_active_patch};
use super::names::Person;
use super::session::{body_id, listed_ids, okta_request, Check, Session};
use crate::conformance::outcome::{StepResult, SuiteResult};
use crate::conformance::runscope::assertions::{json_path, text_form};
use crate::conformance::url::eq_filter_query;
use crate::driver::{Method, TransportError};

/// How Okta sends (de)activation to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// OIN integrations: PATCH `{"op":"replace","value":{"active":…}}` with no path.
    Oin,
    /// App Integration Wizard apps: GET then PUT of the whole user with `active` changed.
    Aiw,
}

impl Mode {
    /// `oin` or `aiw`.
    pub fn tag(self) -> &'static str {
        match self {
            Mode::Oin => "oin",
            Mode::Aiw => "aiw",
        }
    }

    /// How (de)activation travels in this mode, for step names.
    pub fn activation(self) -> &'static str {
        match self {
            Mode::Oin => "path-less PATCH",
            Mode::Aiw => "GET then PUT",
        }
    }
}

/// The suite's name in reports for a mode.
pub fn suite_name(mode: Mode) -> String {
    match mode {
        Mode::Oin => "CRUD (OIN: PATCH)".into(),
        Mode::Aiw => "CRUD (AIW: PUT)".into(),
    }
}

struct CrudRun<'s, 'a> {
    session: &'s mut Session<'a>,
    mode: Mode,
    person: Person,
    password: String,
    suite: &'s mut SuiteResult,
}

/// Runs the lifecycle in one mode into `suite` (named [`suite_name`]); on an error (Ctrl-C)
/// `suite` holds the steps completed so far. The user it creates is left to the final cleanup.
pub fn run_crud(
    session: &mut Session<'_>,
    mode: Mode,
    suite: &mut SuiteResult,
) -> Result<(), TransportError> {
    let person = session.names.person();
    let password = session.names.password();
    let mut run = CrudRun {
        session,
        mode,
        person,
        password,
        suite,
    };
    run.lookup_before_create()?;
    let Some(id) = run.create()? else {
        for (step, name) in LATER_STEPS {
            run.suite.steps.push(Check::skipped(
                *step,
                *name,
                "needs the user that step 3b should have created",
            ));
        }
        return Ok(());
    };
    run.find_by_user_name(&id)?;
    run.update_profile(&id)?;
    run.set_active(&id, "7", false, "CRUD 7 → deactivate")?;
    run.read_back(&id, "8", false)?;
    run.still_filterable(&id)?;
    run.reactivate(&id)?;
    run.read_back(&id, "11", true)?;
    run.set_active(&id, "12", false, "CRUD 12 → unassign the user: deactivate")?;
    run.read_back(&id, "13", false)?;
    Ok(())
}

/// The steps that need the created user, for skipping them when there is none.
const LATER_STEPS: &[(&str, &str)] = &[
    ("4", "CRUD 4: the userName filter finds the created user"),
    ("5", "CRUD 5 → profile update: GET then PUT the whole user"),
    ("6", "CRUD 6: the new givenName reads back"),
    ("7", "CRUD 7 → deactivate"),
    ("8", "CRUD 8: the deactivated user reads back, active false"),
    ("8b", "Okta: a deactivated user is still found by userName"),
    ("10", "CRUD 10 → reactivate the same user"),
    (
        "11",
        "CRUD 11: the reactivated user reads back, active true",
    ),
    ("12", "CRUD 12 → unassign the user: deactivate"),
    (
        "13",
        "CRUD 13: the unassigned user reads back, active false",
    ),
];

impl CrudRun<'_, '_> {
    fn lookup_path(&self) -> String {
        format!(
            "/Users?{}",
            eq_filter_query("userName", &self.person.email, "startIndex=1&count=100")
        )
    }

    fn push(&mut self, step: StepResult) {
        self.suite.steps.push(step);
    }

    /// Okta's assignment begins with a lookup that must answer 200 with no match.
    fn lookup_before_create(&mut self) -> Result<(), TransportError> {
        let call = self
            .session
            .send(&okta_request(Method::Get, self.lookup_path(), None))?;
        let mut check = Check::new(
            "3a",
            "CRUD 3 → lookup before create: userName eq …&startIndex=1&count=100 → 200, no match",
        );
        if check.status(&call, &[200]) {
            let total = call
                .response
                .json()
                .and_then(|b| b.get("totalResults").cloned());
            check.require(
                total == Some(Value::from(0)),
                "totalResults",
                "0",
                total.map_or("nothing".into(), |t| t.to_string()),
            );
        }
        self.push(check.finish());
        Ok(())
    }

    /// Okta's create body with the extras it always sends; returns the new id.
    fn create(&mut self) -> Result<Option<String>, TransportError> {
        let external_id = self.session.names.okta_user_id();
        let body = okta_create_body(&self.person, &external_id, &self.password);
        let call = self
            .session
            .send(&okta_request(Method::Post, "/Users", Some(body)))?;
        let id = body_id(&call).filter(|_| call.response.status < 300);
        if let Some(id) = &id {
            self.session.created_user(id);
        }
        let mut check = Check::new(
            "3b",
            "CRUD 3 → create: POST /Users with password, externalId, groups: [], locale → 201",
        );
        check.status(&call, &[201]);
        check.require(id.is_some(), "id", "a non-empty id", "none");
        let body = call.response.json().unwrap_or(Value::Null);
        let user_name = body.get("userName").map(text_form);
        check.require(
            user_name.as_deref() == Some(self.person.email.as_str()),
            "userName",
            format!("\"{}\" as sent", self.person.email),
            user_name.unwrap_or_else(|| "nothing".into()),
        );
        self.push(check.finish());
        Ok(id)
    }

    /// CRUD step 4: `GET /Users?filter=userName eq "<email>"` (no paging parameters).
    fn find_by_user_name(&mut self, id: &str) -> Result<(), TransportError> {
        let path = format!(
            "/Users?{}",
            eq_filter_query("userName", &self.person.email, "")
        );
        let call = self.session.send(&okta_request(Method::Get, path, None))?;
        let mut check = Check::new("4", "CRUD 4: the userName filter finds the created user");
        if check.status(&call, &[200]) {
            let body = call.response.json().unwrap_or(Value::Null);
            let email = self.person.email.clone();
            let wanted = [
                ("Resources[0].id", id.to_string()),
                ("Resources[0].userName", email.clone()),
                ("Resources[0].emails[0].value", email),
                (
                    "Resources[0].name.familyName",
                    self.person.family_name.clone(),
                ),
                (
                    "Resources[0].name.givenName",
                    self.person.given_name.clone(),
                ),
            ];
            expect_fields(&mut check, &body, &wanted);
        }
        self.push(check.finish());
        Ok(())
    }

    /// CRUD step 5's traffic (GET, then PUT of the whole object) and step 6's read-back.
    fn update_profile(&mut self, id: &str) -> Result<(), TransportError> {
        let updated = format!("{}update", self.person.given_name);
        let mut check = Check::new(
            "5",
            "CRUD 5 → profile update: GET then PUT the whole user (id, meta echoed) → 200",
        );
        let current = self
            .session
            .send(&okta_request(Method::Get, user_path(id), None))?;
        if check.status(&current, &[200]) {
            let changes = json!({"name": {"givenName": updated}});
            let body = okta_put_body(
                &current.response.json().unwrap_or(Value::Null),
                &changes,
                &self.password,
            );
            let put = self
                .session
                .send(&okta_request(Method::Put, user_path(id), Some(body)))?;
            if check.status(&put, &[200]) {
                let echoed = put.response.json().unwrap_or(Value::Null);
                expect_fields(&mut check, &echoed, &[("name.givenName", updated.clone())]);
            }
        }
        self.push(check.finish());
        let call = self
            .session
            .send(&okta_request(Method::Get, user_path(id), None))?;
        let mut check = Check::new("6", "CRUD 6: the new givenName reads back");
        if check.status(&call, &[200]) {
            let body = call.response.json().unwrap_or(Value::Null);
            expect_fields(&mut check, &body, &[("name.givenName", updated)]);
        }
        self.push(check.finish());
        Ok(())
    }

    /// (De)activation as Okta sends it in this mode; a 200 body must show the new state.
    fn set_active(
        &mut self,
        id: &str,
        step: &str,
        active: bool,
        what: &str,
    ) -> Result<(), TransportError> {
        let name = format!("{what} ({}, active: {active})", self.mode.activation());
        let mut check = Check::new(step, name);
        self.send_active(&mut check, id, active)?;
        self.push(check.finish());
        Ok(())
    }

    fn send_active(
        &mut self,
        check: &mut Check,
        id: &str,
        active: bool,
    ) -> Result<(), TransportError> {
        let call = match self.mode {
            Mode::Oin => {
                let patch = pathless_active_patch(active);
                self.session
                    .send(&okta_request(Method::Patch, user_path(id), Some(patch)))?
            }
            Mode::Aiw => {
                let current = self
                    .session
                    .send(&okta_request(Method::Get, user_path(id), None))?;
                if !check.status(&current, &[200]) {
                    return Ok(());
                }
                let body = okta_put_body(
                    &current.response.json().unwrap_or(Value::Null),
                    &json!({"active": active}),
                    &self.password,
                );
                self.session
                    .send(&okta_request(Method::Put, user_path(id), Some(body)))?
            }
        };
        let allowed: &[u16] = match self.mode {
            Mode::Oin => &[200, 204],
            Mode::Aiw => &[200],
        };
        if check.status(&call, allowed) && call.response.status == 200 {
            let body = call.response.json().unwrap_or(Value::Null);
            expect_fields(check, &body, &[("active", active.to_string())]);
        }
        Ok(())
    }

    /// `GET /Users/{id}` → 200 with `active` as wanted (Okta's CRUD steps 8, 11, 13).
    fn read_back(&mut self, id: &str, step: &str, active: bool) -> Result<(), TransportError> {
        let name = match step {
            "8" => "CRUD 8: the deactivated user reads back (200), active false",
            "11" => "CRUD 11: the reactivated user reads back, active true, same id",
            _ => "CRUD 13: the unassigned user reads back (200), active false",
        };
        let call = self
            .session
            .send(&okta_request(Method::Get, user_path(id), None))?;
        let mut check = Check::new(step, name);
        if check.status(&call, &[200]) {
            let body = call.response.json().unwrap_or(Value::Null);
            expect_fields(
                &mut check,
                &body,
                &[("active", active.to_string()), ("id", id.to_string())],
            );
        }
        self.push(check.finish());
        Ok(())
    }

    /// Okta SCIM 2.0 reference, Update a specific User (PATCH): a deactivated user must still come back from the userName filter,
    /// otherwise Okta re-POSTs and hits 409.
    fn still_filterable(&mut self, id: &str) -> Result<(), TransportError> {
        let call = self
            .session
            .send(&okta_request(Method::Get, self.lookup_path(), None))?;
        let mut check = Check::new("8b", "Okta: a deactivated user is still found by userName");
        if check.status(&call, &[200]) {
            let ids = listed_ids(&call.response.json().unwrap_or(Value::Null));
            check.require(
                ids == [id.to_string()],
                "Resources ids",
                format!("[\"{id}\"]"),
                format!("{ids:?}"),
            );
        }
        self.push(check.finish());
        Ok(())
    }

    /// CRUD step 10's traffic: the assignment lookup finds the inactive user, which Okta then
    /// reactivates in place (PLAN C9293: the same id).
    fn reactivate(&mut self, id: &str) -> Result<(), TransportError> {
        let mut check = Check::new(
            "10",
            format!(
                "CRUD 10 → reactivate: lookup finds the same user, then {} active: true",
                self.mode.activation()
            ),
        );
        let lookup = self
            .session
            .send(&okta_request(Method::Get, self.lookup_path(), None))?;
        if check.status(&lookup, &[200]) {
            let ids = listed_ids(&lookup.response.json().unwrap_or(Value::Null));
            check.require(
                ids == [id.to_string()],
                "lookup ids",
                format!("[\"{id}\"]"),
                format!("{ids:?}"),
            );
            self.send_active(&mut check, id, true)?;
        }
        self.push(check.finish());
        Ok(())
    }
}

fn user_path(id: &str) -> String {
    format!("/Users/{}", crate::conformance::url::encode_component(id))
}

/// Requires each JSON path of `body` to have the wanted text form.
pub fn expect_fields(check: &mut Check, body: &Value, wanted: &[(&str, String)]) {
    for (path, value) in wanted {
        let actual = json_path(body, path).map(text_form);
        check.require(
            actual.as_deref() == Some(value.as_str()),
            *path,
            format!("\"{value}\""),
            actual.map_or_else(|| "nothing".into(), |a| format!("\"{a}\"")),
        );
    }
}
