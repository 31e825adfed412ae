//! Criterion benches of the fuzzer's pure parts: applying ops to the model, drawing op sequences,
//! and checking a response against the model's expectation. Run: `cargo bench --bench fuzz_model`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use scimfuzz::check::{check_op, CheckContext, CheckRules, UNGRADED};
use scimfuzz::driver::{Call, IdMap, RecordedRequest, RecordedResponse, ResourceKind, Timings};
use scimfuzz::fuzz::create_user_body;
use scimfuzz::gen::{op_sequence, GenConfig};
use scimfuzz::model::{apply, resolve, ModelRules, Op, Spelling, State, UserHandle};

fn sequences(count: usize) -> Vec<Vec<Op>> {
    let mut runner = TestRunner::deterministic();
    let strategy = op_sequence(&GenConfig::default());
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("a sequence")
                .current()
        })
        .collect()
}

fn run_model(ops: &[Op]) -> usize {
    let mut state = State::new("4821930007", ModelRules::default());
    let mut applied = 0;
    for op in ops {
        if let Some((next, _)) = resolve(&state, op).and_then(|op| apply(&state, &op)) {
            state = next;
            applied += 1;
        }
    }
    applied
}

fn bench_model(c: &mut Criterion) {
    let drawn = sequences(64);
    c.bench_function("model: apply 64 drawn sequences (<=24 ops each)", |b| {
        b.iter(|| {
            drawn
                .iter()
                .map(|ops| run_model(black_box(ops)))
                .sum::<usize>()
        })
    });
}

fn bench_generation(c: &mut Criterion) {
    let strategy = op_sequence(&GenConfig::default());
    let mut runner = TestRunner::deterministic();
    c.bench_function("gen: draw one op sequence", |b| {
        b.iter(|| {
            strategy
                .new_tree(&mut runner)
                .expect("a sequence")
                .current()
        })
    });
}

fn bench_checking(c: &mut Criterion) {
    let state = State::new("4821930007", ModelRules::default());
    let op = Op::CreateUser {
        user: UserHandle(0),
        spelling: Spelling::Base,
    };
    let (_, expected) = apply(&state, &op).expect("a create applies");
    let record = state.new_user_record(UserHandle(0), Spelling::Base);
    let mut body = create_user_body(&record);
    body["id"] = serde_json::json!("2819c223-7f76-453a-919d-413861904646");
    body.as_object_mut().expect("an object").remove("password");
    let call = Call {
        request: RecordedRequest {
            method: "POST".into(),
            url: "http://x/scim/v2/Users".into(),
            headers: Vec::new(),
            body: None,
        },
        response: RecordedResponse {
            status: 201,
            headers: vec![
                ("content-type".into(), "application/scim+json".into()),
                (
                    "location".into(),
                    "http://x/scim/v2/Users/2819c223-7f76-453a-919d-413861904646".into(),
                ),
            ],
            body: body.to_string(),
            oversized: None,
        },
        timings: Timings {
            started_at_us: 0,
            headers_us: 100,
            total_us: 200,
        },
    };
    let mut ids = IdMap::new();
    ids.assign(ResourceKind::Group, 0, "g".into());
    let ctx = CheckContext {
        ids: &ids,
        namespace_prefix: "4821930007.",
        deactivated_ids: &[],
        memberships: &[],
        rules: CheckRules::default(),
        grading: &UNGRADED,
    };
    let calls = [call];
    c.bench_function("check: a 201 create response against the model", |b| {
        b.iter(|| {
            let findings = check_op(
                black_box(&op),
                black_box(&expected),
                black_box(&calls),
                &ctx,
            );
            assert!(findings.is_empty(), "{findings:?}");
        })
    });
}

criterion_group!(benches, bench_model, bench_generation, bench_checking);
criterion_main!(benches);
