//! The differential fuzz body: an arbitrary op sequence runs against the model and the embedded
//! reference server (in this process, no fault) and must give the same verdicts, i.e. no finding
//! at all. The two are independent implementations of RFC 7643/7644 (the server never imports
//! the model), so any finding is a bug in one of them, and a false positive waiting for a user.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use tokio::runtime::Runtime;

use crate::driver::{Driver, Namespaces, Target, TransportError};
use crate::fuzz::{discover, load_behaviour, CaseOutcome, RunSetup};
use crate::model::{GroupHandle, Op, UserHandle, MAX_RACE_BRANCHES};
use crate::server::{spawn_on_thread, RunningServer, ServerConfig};

/// The longest op sequence one input runs.
pub const MAX_OPS: usize = 24;

/// A clean embedded server and a run set up against it with one profile, on which sequences run
/// one after another, each in a fresh namespace and cleaned up after.
#[derive(Debug)]
pub struct Differential {
    server: RunningServer,
    runtime: Runtime,
    driver: Driver,
    setup: RunSetup,
    namespaces: Namespaces,
}

impl Differential {
    /// Starts a clean server and reads its discovery documents, judging by `profile` (a
    /// built-in name or a path) on an exclusive target (totals and full listings predicted).
    pub fn start(profile: &str) -> Result<Self, String> {
        Self::start_with(profile, ServerConfig::default(), true)
    }

    /// Starts a server with `config` (faults, to prove a disagreement is seen), judging by
    /// `profile`; `exclusive: false` judges as against a shared target (listings confined to
    /// the case's namespace). Latency is not judged: a loaded machine is no defect of either
    /// side.
    pub fn start_with(
        profile: &str,
        config: ServerConfig,
        exclusive: bool,
    ) -> Result<Self, String> {
        let behaviour = load_behaviour(profile).map_err(|err| err.to_string())?;
        let server = spawn_on_thread(config).map_err(|err| err.to_string())?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|err| err.to_string())?;
        let target = Target::new(server.base_url(), Some(server.authorization()));
        let driver = Driver::new(target).map_err(|err| err.to_string())?;
        let mut setup = RunSetup::new(behaviour, MAX_OPS, exclusive, true);
        setup.check_rules.latency_budget_ms = None;
        let namespaces = Namespaces::new();
        let discovery = discover(&driver, &runtime, namespaces.run_prefix(), &setup.grading)
            .map_err(|err| err.to_string())?;
        setup.adopt(&discovery);
        Ok(Self {
            server,
            runtime,
            driver,
            setup,
            namespaces,
        })
    }

    /// Runs `ops` in a fresh namespace (every op to its end: a finding does not stop the case).
    pub fn run(&self, ops: &[Op]) -> Result<CaseOutcome, TransportError> {
        let tag = self.namespaces.next_tag();
        self.setup
            .executor(&self.driver, &self.runtime)
            .run_case(ops, &tag, &|_| true)
    }

    /// Every disagreement of `ops`, one line each (check, op, expected, actual), after the
    /// sequence; empty when the model and the server agree.
    pub fn disagreements(&self, ops: &[Op]) -> Vec<String> {
        let outcome = match self.run(ops) {
            Ok(outcome) => outcome,
            Err(err) => return vec![format!("the server stopped answering: {err}")],
        };
        let mut lines: Vec<String> = outcome
            .steps
            .iter()
            .flat_map(|step| {
                step.findings.iter().map(move |finding| {
                    format!(
                        "{} at op {} ({}): expected {}, got {}",
                        finding.check_id,
                        finding.op_index,
                        step.op.kind(),
                        finding.expected,
                        finding.actual
                    )
                })
            })
            .collect();
        if outcome.cleanup_refused > 0 {
            lines.push(format!(
                "{} cleanup requests refused",
                outcome.cleanup_refused
            ));
        }
        if !lines.is_empty() {
            lines.push(format!("ops that ran: {:?}", outcome.ops()));
        }
        lines
    }

    /// Stops the server.
    pub fn shutdown(self) {
        self.server.shutdown();
    }
}

/// An arbitrary sequence of at most [`MAX_OPS`] ops from `data`: `Op`'s `Arbitrary`, and one
/// op in ten a race of 2–4 single-request ops on one user or group (a derived `Op::Race` almost
/// never has branches that share a resource, so it would almost never run).
pub fn ops_from(data: &[u8]) -> Vec<Op> {
    let mut u = Unstructured::new(data);
    let mut ops = Vec::new();
    while ops.len() < MAX_OPS && !u.is_empty() {
        let op = match u.ratio(1, 10) {
            Ok(true) => race(&mut u),
            _ => Op::arbitrary(&mut u),
        };
        match op {
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    ops
}

/// A race of 2–4 branches, each a single-request op on the same user or the same group.
fn race(u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
    let count = u.int_in_range(2..=MAX_RACE_BRANCHES)?;
    let mut branches = Vec::with_capacity(count);
    if u.arbitrary()? {
        let user: UserHandle = u.arbitrary()?;
        for _ in 0..count {
            branches.push(match u.choose_index(4)? {
                0 => Op::CreateUser {
                    user,
                    spelling: u.arbitrary()?,
                },
                1 => Op::GetUser { user },
                2 => Op::SetActive {
                    user,
                    active: u.arbitrary()?,
                    capitalised: u.arbitrary()?,
                },
                _ => Op::DeleteUser { user },
            });
        }
    } else {
        let group: GroupHandle = u.arbitrary()?;
        for _ in 0..count {
            branches.push(match u.choose_index(4)? {
                0 => Op::PatchMembers {
                    group,
                    change: u.arbitrary()?,
                },
                1 => Op::RenameGroup {
                    group,
                    suffix: u.arbitrary()?,
                },
                2 => Op::GetGroup { group },
                _ => Op::DeleteGroup { group },
            });
        }
    }
    Ok(Op::Race { branches })
}

/// The fuzz body: the sequence `data` describes, judged by the okta profile on one server kept
/// for the whole fuzzing process. Panics with the disagreements, if any.
pub fn differential(data: &[u8]) {
    static RUN: OnceLock<Differential> = OnceLock::new();
    let run = RUN.get_or_init(|| Differential::start("okta").expect("the embedded server starts"));
    let ops = ops_from(data);
    let disagreements = run.disagreements(&ops);
    assert!(
        disagreements.is_empty(),
        "the model and the reference server disagree:\n{}",
        disagreements.join("\n")
    );
}
