//! The race phase run for real and race traces on disk: every race kind over eight seeds finds
//! nothing on the clean embedded server, and race traces (new, and as older versions wrote them)
//! load back. The linearizability judgments on hand-built histories are in fuzz_race.rs.

use serde_json::{json, Value};

use scimfuzz::fuzz::SearchConfig;
use scimfuzz::model::{apply, Expected, Op, UserHandle};

use super::fuzz::fuzz_embedded;
use super::fuzz_race::{record, set_active, with_users, BASE, TAG};

/// The race phase alone (every race kind: duplicate creates, membership adds, deactivate against
/// reactivate, membership add against remove) over eight seeds: no finding on the clean server.
#[test]
fn the_race_phase_finds_nothing_on_the_clean_reference_server() {
    let handles: Vec<_> = (1..=8u64)
        .map(|seed| {
            std::thread::spawn(move || {
                let config = SearchConfig {
                    seed,
                    cases: 0,
                    race_cases: 40,
                    ..SearchConfig::default()
                };
                (seed, fuzz_embedded(&[], config))
            })
        })
        .collect();
    let mut races = 0;
    for handle in handles {
        let (seed, summary) = handle.join().expect("a race thread");
        let found: Vec<&str> = summary
            .failures
            .iter()
            .map(|f| f.check_id.as_str())
            .collect();
        assert!(found.is_empty(), "seed {seed}: {found:?}");
        assert!(summary.notes.is_empty(), "seed {seed}: {:?}", summary.notes);
        let kinds = &summary.op_kinds;
        assert!(
            kinds.get("race").copied().unwrap_or(0) > 0,
            "seed {seed}: {kinds:?}"
        );
        races += ["race", "race-create", "race-add-members"]
            .iter()
            .map(|kind| kinds.get(*kind).copied().unwrap_or(0))
            .sum::<u64>();
    }
    eprintln!("race phase: {races} races judged linearizable over 8 seeds");
}

fn trace_of(ops: Vec<Op>, expected: Expected) -> Value {
    use scimfuzz::check::Finding;
    use scimfuzz::fuzz::{CaseOutcome, Step, Trace, TRACE_VERSION};
    let step = Step {
        op: ops.last().expect("an op").clone(),
        expected,
        calls: Vec::new(),
        findings: Vec::new(),
        read_back: Vec::new(),
        diagnosis: Vec::new(),
        localized: None,
    };
    let trace = Trace {
        version: TRACE_VERSION,
        tool: "scimfuzz test".into(),
        seed: 7,
        profile: "okta".into(),
        target: BASE.into(),
        embedded_faults: Vec::new(),
        finding: Finding::new("race.duplicate-create", "one 201", "two 201"),
        defect: "race.duplicate-create [race] 2xx".into(),
        ops,
        recorded: CaseOutcome {
            tag: TAG.into(),
            steps: vec![step],
            skipped: 0,
            cleanup_refused: 0,
        },
    };
    serde_json::to_value(&trace).expect("a trace serialises")
}

fn read_back(name: &str, trace: &Value) -> scimfuzz::fuzz::Trace {
    let path = std::env::temp_dir().join(format!(
        "scimfuzz-it-race-{name}-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, trace.to_string()).expect("the trace file");
    let read = scimfuzz::fuzz::read_trace(&path);
    let _ = std::fs::remove_file(&path);
    read.unwrap_or_else(|err| panic!("{name}: {err}"))
}

#[test]
fn race_traces_round_trip_and_traces_of_older_versions_still_load() {
    let (state, _) = with_users(1);
    let race = Op::Race {
        branches: vec![
            set_active(false),
            set_active(true),
            Op::GetUser {
                user: UserHandle(0),
            },
        ],
    };
    let (_, expected) = apply(&state, &race).expect("the race applies");
    let written = trace_of(vec![race.clone()], expected);
    assert_eq!(read_back("new", &written).ops, vec![race]);

    // Written before races were general: `race-create` with a `race-created` outcome.
    let old_op = Op::RaceCreate {
        user: UserHandle(0),
        branches: 3,
    };
    let mut old = trace_of(vec![old_op.clone()], Expected::Conflict);
    old["recorded"]["steps"][0]["expected"] = json!({
        "outcome": "race-created",
        "user": 0,
        "record": serde_json::to_value(record(&state, 0)).expect("a record"),
    });
    let loaded = read_back("old", &old);
    assert_eq!(loaded.ops, vec![old_op]);
    assert!(matches!(
        loaded.recorded.steps[0].expected,
        Expected::Linearizable { .. }
    ));
}
