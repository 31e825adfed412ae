//! After a load run, unless `--keep-data`: deletes what the run created, so the server is left
//! as found. What goes is read back from the ledger journal: the groups workers pushed, the
//! run's shared group, the users answered 201, the users whose create was sent but whose answer
//! was lost (found by their userName), and the seeded directory. Groups go first, then users,
//! 16 requests at a time, within [`CLEANUP_LIMIT`]. Then the [`sweep`] finds
//! what the journal cannot know by the run's names (a group whose create answer was lost, the
//! users of a seeding that failed part-way) and deletes it too. The summary says how long it
//! took, what was found by name and what was left.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::ledger::{Entry, LedgerReader};
use super::okta_shapes::lookup_path;
use super::sweep::{self, Namespace};
use crate::driver::{encode_component, Driver, RequestSpec};

/// How long the cleanup may take; what is not deleted by then is reported as left.
pub const CLEANUP_LIMIT: Duration = Duration::from_secs(300);
/// Requests the cleanup keeps in flight.
const IN_FLIGHT: usize = 16;
/// Leftovers a summary names before "…".
const NAMED_LEFTOVERS: usize = 5;

/// What the run created, as far as it knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    pub groups: Vec<String>,
    pub users: Vec<String>,
    /// userNames whose create was sent but never acknowledged (the answer was lost or failed).
    pub unacknowledged: Vec<String>,
    /// Where the run's names live, swept after the known resources are deleted (groups first).
    pub namespaces: Vec<Namespace>,
}

impl Created {
    /// Everything the journal records, plus the shared group and the seeded users.
    pub fn from_run(
        journal: Option<&LedgerReader>,
        shared_group: Option<&str>,
        seeded: &[String],
    ) -> Result<Self, String> {
        let mut groups = BTreeSet::new();
        let mut users = BTreeSet::new();
        let mut pending = BTreeSet::new();
        groups.extend(shared_group.map(str::to_string));
        users.extend(seeded.iter().cloned());
        if let Some(journal) = journal {
            for entry in journal.entries()? {
                match entry? {
                    Entry::Sent { user_name } => {
                        pending.insert(user_name);
                    }
                    Entry::Created { id, user_name } => {
                        pending.remove(&user_name);
                        users.insert(id);
                    }
                    Entry::Members { group, .. } => {
                        groups.insert(group);
                    }
                    Entry::Active { .. } | Entry::MemberAdded { .. } => {}
                }
            }
        }
        Ok(Self {
            groups: groups.into_iter().collect(),
            users: users.into_iter().collect(),
            unacknowledged: pending.into_iter().collect(),
            namespaces: Vec::new(),
        })
    }

    /// The same, with the sweep of worker `worker`'s names of the run tagged `tag`.
    pub fn with_names(mut self, tag: &str, worker: u32) -> Self {
        self.namespaces = vec![
            Namespace::groups(tag, worker),
            Namespace::users(tag, worker),
        ];
        self
    }
}

/// What the cleanup did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CleanupSummary {
    pub users_deleted: u64,
    pub groups_deleted: u64,
    /// Resources still there: refused deletes, failed requests, or not reached in time.
    pub left: Vec<String>,
    pub seconds: f64,
    /// The time limit ended the cleanup.
    pub timed_out: bool,
    /// Resources the journal did not know, found by the run's names (and deleted, or left).
    pub found_by_name: u64,
    /// The collections paged through whole because the server refused the `sw` filter.
    pub paged: Vec<&'static str>,
}

impl CleanupSummary {
    /// Whether the cleanup found anything to delete (or left anything).
    pub fn did_anything(&self) -> bool {
        self.users_deleted + self.groups_deleted > 0 || !self.left.is_empty()
    }

    /// `cleanup: deleted 40 users and 3 groups in 1.2 s; left 2: /Users/a (DELETE answered 500), …`.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "cleanup: deleted {} users and {} groups in {:.1} s",
            self.users_deleted, self.groups_deleted, self.seconds
        );
        if self.timed_out {
            text.push_str(&format!(
                " (stopped at the {} s limit)",
                CLEANUP_LIMIT.as_secs()
            ));
        }
        if self.found_by_name > 0 {
            text.push_str(&format!(
                "; {} found by the run's names (their create answers were lost)",
                self.found_by_name
            ));
        }
        if !self.paged.is_empty() {
            text.push_str(&format!(
                "; the server refused the `sw` filter, so /{} were paged through",
                self.paged.join(" and /")
            ));
        }
        if self.left.is_empty() {
            text.push_str("; nothing of the run left");
        } else {
            let named: Vec<&str> = self
                .left
                .iter()
                .take(NAMED_LEFTOVERS)
                .map(String::as_str)
                .collect();
            let more = if self.left.len() > NAMED_LEFTOVERS {
                ", …"
            } else {
                ""
            };
            text.push_str(&format!(
                "; left {}: {}{more}",
                self.left.len(),
                named.join(", ")
            ));
        }
        text
    }
}

/// The result of one cleanup request.
enum Done {
    Deleted { group: bool },
    Found(Vec<String>),
    Left(String),
}

/// Deletes `created` through `driver` within `limit`.
pub async fn clean_up(driver: &Driver, created: Created, limit: Duration) -> CleanupSummary {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + limit;
    let mut summary = CleanupSummary::default();
    let mut tried: BTreeSet<String> = created.groups.iter().cloned().collect();
    let groups = created.groups.into_iter().map(Job::group).collect();
    run_jobs(driver, groups, deadline, &mut summary).await;
    let lookups = created
        .unacknowledged
        .into_iter()
        .map(Job::Lookup)
        .collect();
    let found = run_jobs(driver, lookups, deadline, &mut summary).await;
    let mut users: BTreeSet<String> = created.users.into_iter().collect();
    users.extend(found);
    tried.extend(users.iter().cloned());
    run_jobs(
        driver,
        users.into_iter().map(Job::user).collect(),
        deadline,
        &mut summary,
    )
    .await;
    for namespace in &created.namespaces {
        sweep_namespace(driver, namespace, &mut tried, deadline, &mut summary).await;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary
}

/// Finds what is left of `namespace` and deletes what the cleanup has not tried yet.
async fn sweep_namespace(
    driver: &Driver,
    namespace: &Namespace,
    tried: &mut BTreeSet<String>,
    deadline: tokio::time::Instant,
    summary: &mut CleanupSummary,
) {
    let what = format!("/{} named {}*", namespace.collection, namespace.prefix);
    if summary.timed_out || tokio::time::Instant::now() >= deadline {
        summary.timed_out = true;
        summary
            .left
            .push(format!("{what} (not checked: no time left)"));
        return;
    }
    let Ok(found) = tokio::time::timeout_at(deadline, sweep::find(driver, namespace)).await else {
        summary.timed_out = true;
        summary
            .left
            .push(format!("{what} (not all checked in time)"));
        return;
    };
    if found.paged {
        summary.paged.push(namespace.collection);
    }
    if let Some(why) = found.incomplete {
        summary
            .left
            .push(format!("{what} (not all checked: {why})"));
    }
    let group = namespace.collection == "Groups";
    let jobs: Vec<Job> = found
        .ids
        .into_iter()
        .filter(|id| tried.insert(id.clone()))
        .map(|id| if group { Job::group(id) } else { Job::user(id) })
        .collect();
    summary.found_by_name += jobs.len() as u64;
    run_jobs(driver, jobs, deadline, summary).await;
}

/// One request of the cleanup.
#[derive(Debug, Clone)]
enum Job {
    Delete { path: String, group: bool },
    Lookup(String),
}

impl Job {
    fn group(id: String) -> Self {
        Job::Delete {
            path: format!("/Groups/{}", encode_component(&id)),
            group: true,
        }
    }

    fn user(id: String) -> Self {
        Job::Delete {
            path: format!("/Users/{}", encode_component(&id)),
            group: false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Job::Delete { path, .. } => path.clone(),
            Job::Lookup(user_name) => format!("the user named {user_name} (create unanswered)"),
        }
    }
}

/// Runs `jobs` [`IN_FLIGHT`] at a time until `deadline`; returns the user ids lookups found.
async fn run_jobs(
    driver: &Driver,
    jobs: Vec<Job>,
    deadline: tokio::time::Instant,
    summary: &mut CleanupSummary,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut running = JoinSet::new();
    let mut jobs = jobs.into_iter();
    loop {
        while running.len() < IN_FLIGHT && !summary.timed_out {
            let Some(job) = jobs.next() else { break };
            if tokio::time::Instant::now() >= deadline {
                summary.timed_out = true;
                summary.left.push(job.describe());
                break;
            }
            let driver = driver.clone();
            running.spawn(async move {
                let what = job.describe();
                tokio::time::timeout_at(deadline, run_job(&driver, job))
                    .await
                    .unwrap_or_else(|_| Done::Left(format!("{what} (not reached in time)")))
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        match done {
            Ok(Done::Deleted { group: true }) => summary.groups_deleted += 1,
            Ok(Done::Deleted { group: false }) => summary.users_deleted += 1,
            Ok(Done::Found(ids)) => found.extend(ids),
            Ok(Done::Left(what)) => summary.left.push(what),
            Err(err) => summary.left.push(format!("a cleanup task failed: {err}")),
        }
    }
    if summary.timed_out {
        summary.left.extend(jobs.map(|job| job.describe()));
    }
    found
}

async fn run_job(driver: &Driver, job: Job) -> Done {
    match job {
        Job::Delete { path, group } => {
            for attempt in 0..3 {
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                match driver.send(&RequestSpec::delete(path.clone())).await {
                    // 404: already gone (the run deleted it, or a retry of ours did).
                    Ok(call) if matches!(call.response.status, 200..=299 | 404) => {
                        return Done::Deleted { group };
                    }
                    Ok(call) if call.response.status >= 500 || call.response.status == 429 => {}
                    Ok(call) => {
                        return Done::Left(format!(
                            "{path} (DELETE answered {})",
                            call.response.status
                        ))
                    }
                    Err(err) => return Done::Left(format!("{path} ({err})")),
                }
            }
            Done::Left(format!("{path} (DELETE kept failing)"))
        }
        Job::Lookup(user_name) => {
            let path = format!("/{}", lookup_path(&user_name));
            match driver.send(&RequestSpec::get(path)).await {
                Ok(call) if call.response.status == 200 => {
                    let ids = call
                        .response
                        .json()
                        .and_then(|body| body.get("Resources").cloned())
                        .and_then(|resources| resources.as_array().cloned())
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|user| user.get("id")?.as_str().map(str::to_string))
                        .collect();
                    Done::Found(ids)
                }
                Ok(call) => Done::Left(format!(
                    "the user named {user_name} (lookup answered {})",
                    call.response.status
                )),
                Err(err) => Done::Left(format!("the user named {user_name} ({err})")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_how_long_and_names_what_was_left() {
        let mut summary = CleanupSummary {
            users_deleted: 40,
            groups_deleted: 3,
            left: Vec::new(),
            seconds: 1.24,
            timed_out: false,
            found_by_name: 0,
            paged: Vec::new(),
        };
        assert_eq!(
            summary.describe(),
            "cleanup: deleted 40 users and 3 groups in 1.2 s; nothing of the run left"
        );
        summary.found_by_name = 2;
        summary.paged = vec!["Groups", "Users"];
        let text = summary.describe();
        assert!(
            text.contains(
                "; 2 found by the run's names (their create answers were lost); the \
                 server refused the `sw` filter, so /Groups and /Users were paged through"
            ),
            "{text}"
        );
        summary.left = (0..7).map(|i| format!("/Users/u{i}")).collect();
        summary.timed_out = true;
        let text = summary.describe();
        assert!(text.contains("(stopped at the 300 s limit)"), "{text}");
        assert!(
            text.ends_with("left 7: /Users/u0, /Users/u1, /Users/u2, /Users/u3, /Users/u4, …"),
            "{text}"
        );
    }

    #[test]
    fn the_journal_gives_every_created_user_and_group_and_the_unanswered_creates() {
        let dir = std::env::temp_dir().join(format!("scimfuzz-cleanup-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let mut journal =
            super::super::ledger::LedgerJournal::create(&dir.join("ledger.jsonl"), true)
                .expect("a journal");
        journal.append(&[
            Entry::Sent {
                user_name: "a".into(),
            },
            Entry::Created {
                id: "1".into(),
                user_name: "a".into(),
            },
            Entry::Sent {
                user_name: "b".into(),
            },
            Entry::Members {
                group: "g".into(),
                members: None,
            },
        ]);
        let reader = journal.finish().expect("readable");
        let created =
            Created::from_run(Some(&reader), Some("shared"), &["seed".to_string()]).unwrap();
        assert_eq!(created.groups, vec!["g".to_string(), "shared".to_string()]);
        assert_eq!(created.users, vec!["1".to_string(), "seed".to_string()]);
        assert_eq!(created.unacknowledged, vec!["b".to_string()]);
        drop(reader);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
