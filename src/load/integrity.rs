//! The post-run integrity check, through the driver: every user answered 201 is readable with its
//! userName, no userName of the run exists twice, the last acknowledged `active` value stuck,
//! every pushed group holds the members last sent, and every member add acknowledged on a shared
//! group is there. A fast server that loses users is the worst case. The ledger is streamed from
//! its journal, so the check's memory does not grow with the run's length either.

use std::collections::BTreeSet;

use serde_json::Value;
use tokio::task::JoinSet;

use super::ledger::{Entry, LedgerIndex, LedgerReader};
use super::okta_shapes::lookup_path;
use super::report::{IntegrityFinding, IntegritySummary};
use crate::driver::{Driver, RequestSpec};

/// Requests the check keeps in flight.
const IN_FLIGHT: usize = 16;
/// Member ids a shared-group finding lists before "…".
const LISTED_MEMBERS: usize = 5;

/// One read the check makes and what it expects.
#[derive(Debug, Clone)]
enum Probe {
    User {
        id: String,
        user_name: String,
        active: Option<bool>,
    },
    UserName(String),
    Group {
        id: String,
        members: BTreeSet<String>,
    },
    SharedGroup {
        id: String,
        acknowledged: BTreeSet<String>,
    },
}

/// Probes running at once, at most [`IN_FLIGHT`], and the findings so far.
struct Runner<'a> {
    driver: &'a Driver,
    running: JoinSet<Vec<IntegrityFinding>>,
    findings: Vec<IntegrityFinding>,
}

impl Runner<'_> {
    async fn push(&mut self, probe: Probe) {
        while self.running.len() >= IN_FLIGHT {
            self.join_one().await;
        }
        let driver = self.driver.clone();
        self.running
            .spawn(async move { run_probe(&driver, probe).await });
    }

    async fn join_one(&mut self) {
        if let Some(Ok(mut found)) = self.running.join_next().await {
            self.findings.append(&mut found);
        }
    }

    async fn finish(mut self) -> Vec<IntegrityFinding> {
        while !self.running.is_empty() {
            self.join_one().await;
        }
        self.findings
    }
}

/// Checks the server's final state against the ledger's journal. `Err` when the journal cannot
/// be read back (the check then has nothing trustworthy to compare with).
pub async fn check_integrity(
    driver: &Driver,
    ledger: &LedgerReader,
) -> Result<IntegritySummary, String> {
    let LedgerIndex {
        active,
        shared_adds,
    } = ledger.index()?;
    let mut runner = Runner {
        driver,
        running: JoinSet::new(),
        findings: Vec::new(),
    };
    let (mut users, mut user_names, mut groups) = (0u64, 0u64, 0u64);
    for entry in ledger.entries()? {
        let probe = match entry? {
            Entry::Created { id, user_name } => {
                users += 1;
                let active = active.get(&id).copied().unwrap_or(Some(true));
                Probe::User {
                    id,
                    user_name,
                    active,
                }
            }
            Entry::Sent { user_name } => {
                user_names += 1;
                Probe::UserName(user_name)
            }
            Entry::Members {
                group,
                members: Some(members),
            } => {
                groups += 1;
                Probe::Group { id: group, members }
            }
            Entry::Members { members: None, .. }
            | Entry::Active { .. }
            | Entry::MemberAdded { .. } => continue,
        };
        runner.push(probe).await;
    }
    for (id, acknowledged) in shared_adds {
        groups += 1;
        runner.push(Probe::SharedGroup { id, acknowledged }).await;
    }
    let mut findings = runner.finish().await;
    findings.sort_by(|a, b| (&a.check_id, &a.resource).cmp(&(&b.check_id, &b.resource)));
    Ok(IntegritySummary {
        users_checked: users,
        user_names_checked: user_names,
        groups_checked: groups,
        findings,
    })
}

fn finding(check_id: &str, resource: &str, detail: String) -> IntegrityFinding {
    IntegrityFinding {
        check_id: check_id.to_string(),
        resource: resource.to_string(),
        detail,
    }
}

/// Reads a path, retrying twice on 5xx and 429 (a failing read is not evidence of lost data).
/// Answers that stay 5xx/429 come back as an `Err` describing them.
async fn read(driver: &Driver, path: &str) -> Result<(u16, Option<Value>), String> {
    let mut last = String::new();
    for attempt in 0..3 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        match driver.send(&RequestSpec::get(path)).await {
            Ok(call) if call.response.status >= 500 || call.response.status == 429 => {
                last = format!(
                    "GET {path} answered {} three times; could not verify it",
                    call.response.status
                );
            }
            Ok(call) => return Ok((call.response.status, call.response.json())),
            Err(err) => last = err.to_string(),
        }
    }
    Err(last)
}

async fn run_probe(driver: &Driver, probe: Probe) -> Vec<IntegrityFinding> {
    match probe {
        Probe::User {
            id,
            user_name,
            active,
        } => check_user(driver, &id, &user_name, active).await,
        Probe::UserName(user_name) => check_unique(driver, &user_name).await,
        Probe::Group { id, members } => check_group(driver, &id, &members).await,
        Probe::SharedGroup { id, acknowledged } => {
            check_shared_group(driver, &id, &acknowledged).await
        }
    }
}

async fn check_user(
    driver: &Driver,
    id: &str,
    user_name: &str,
    active: Option<bool>,
) -> Vec<IntegrityFinding> {
    let path = format!("/Users/{id}");
    let (status, body) = match read(driver, &path).await {
        Ok(answer) => answer,
        Err(err) => return vec![finding("load.unverifiable", id, err)],
    };
    let Some(body) = body.filter(|_| status == 200) else {
        if active == Some(false) {
            return vec![finding(
                "load.deactivated-unreadable",
                id,
                format!("{user_name} was deactivated during the run and GET {path} now answers {status}: deactivated users must stay readable, Okta never deletes them"),
            )];
        }
        return vec![finding(
            "load.lost-user",
            id,
            format!("the server answered 201 for {user_name} with id {id}, but GET {path} answers {status} after the run"),
        )];
    };
    let mut found = Vec::new();
    let stored_name = body.get("userName").and_then(Value::as_str).unwrap_or("");
    if !stored_name.eq_ignore_ascii_case(user_name) {
        found.push(finding(
            "load.lost-user",
            id,
            format!("user {id} was created as {user_name} but now reads userName {stored_name:?}"),
        ));
    }
    let stored_active = body.get("active").and_then(Value::as_bool);
    if let Some(expected) = active {
        if stored_active != Some(expected) {
            let stored = stored_active.map_or("no boolean".to_string(), |value| value.to_string());
            found.push(finding(
                "load.deactivation-lost",
                id,
                format!("the last acknowledged change set active={expected} on {user_name}, but the server reads active {stored}"),
            ));
        }
    }
    found
}

async fn check_unique(driver: &Driver, user_name: &str) -> Vec<IntegrityFinding> {
    let path = format!("/{}", lookup_path(user_name));
    match read(driver, &path).await {
        Ok((200, Some(body))) => {
            let total = body
                .get("totalResults")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            if total > 1 {
                let ids: Vec<&str> = body
                    .get("Resources")
                    .and_then(Value::as_array)
                    .map(|resources| {
                        resources
                            .iter()
                            .filter_map(|r| r.get("id")?.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                vec![finding(
                    "load.duplicate-username",
                    user_name,
                    format!(
                        "userName {user_name} exists {total} times after the run (ids {})",
                        ids.join(", ")
                    ),
                )]
            } else {
                Vec::new()
            }
        }
        Ok((status, _)) => vec![finding(
            "load.unverifiable",
            user_name,
            format!("the userName lookup answered {status} instead of a 200 ListResponse"),
        )],
        Err(err) => vec![finding("load.unverifiable", user_name, err)],
    }
}

/// A group's member ids as the server reads them, or the finding when it cannot be read.
async fn read_members(driver: &Driver, id: &str) -> Result<BTreeSet<String>, IntegrityFinding> {
    let path = format!("/Groups/{id}");
    let (status, body) = read(driver, &path)
        .await
        .map_err(|err| finding("load.unverifiable", id, err))?;
    let Some(body) = body.filter(|_| status == 200) else {
        return Err(finding(
            "load.membership-mismatch",
            id,
            format!("pushed group {id} answers {status} to GET {path} after the run"),
        ));
    };
    Ok(body
        .get("members")
        .and_then(Value::as_array)
        .map(|members| {
            members
                .iter()
                .filter_map(|member| member.get("value")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

async fn check_group(
    driver: &Driver,
    id: &str,
    expected: &BTreeSet<String>,
) -> Vec<IntegrityFinding> {
    let stored = match read_members(driver, id).await {
        Ok(stored) => stored,
        Err(found) => return vec![found],
    };
    if &stored == expected {
        return Vec::new();
    }
    let missing: Vec<&String> = expected.difference(&stored).collect();
    let extra: Vec<&String> = stored.difference(expected).collect();
    vec![finding(
        "load.membership-mismatch",
        id,
        format!("group {id} should hold the {} members last sent; missing {missing:?}, unexpected {extra:?}", expected.len()),
    )]
}

/// A shared group gets member adds from several workers at once and no removes, so every add the
/// server acknowledged must be there; a missing one is a lost update.
async fn check_shared_group(
    driver: &Driver,
    id: &str,
    acknowledged: &BTreeSet<String>,
) -> Vec<IntegrityFinding> {
    let stored = match read_members(driver, id).await {
        Ok(stored) => stored,
        Err(found) => return vec![found],
    };
    let missing: Vec<&str> = acknowledged
        .difference(&stored)
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let listed = missing[..missing.len().min(LISTED_MEMBERS)].join(", ");
    let more = if missing.len() > LISTED_MEMBERS {
        format!(" and {} more", missing.len() - LISTED_MEMBERS)
    } else {
        String::new()
    };
    vec![finding(
        "load.group-member-lost",
        id,
        format!(
            "{} of the {} member adds the server acknowledged on shared group {id} are missing after the run (concurrent membership PATCHes lost updates): {listed}{more}",
            missing.len(),
            acknowledged.len()
        ),
    )]
}
