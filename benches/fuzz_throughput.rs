//! End-to-end throughput of `scimfuzz fuzz` against the embedded reference server, next to a bare
//! reqwest loop sending the very same requests (same methods, URLs, headers and bodies, in order,
//! one at a time) to the same server. Prints both rates and the ratio (goal >= 0.8).
//! Run: `benches/fuzz_vs_reqwest.sh` (or `cargo bench --bench fuzz_throughput`).

use std::time::Instant;

use scimfuzz::driver::{Driver, Namespaces, RecordedRequest, Target};
use scimfuzz::fuzz::{first_sequences, load_behaviour, RunSetup, SearchConfig};
use scimfuzz::server::{spawn_on_thread, ServerConfig};

const SEQUENCES: usize = 400;

fn main() {
    let server = spawn_on_thread(ServerConfig::default()).expect("the embedded server starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let driver = Driver::new(Target::new(server.base_url(), Some(server.authorization())))
        .expect("a driver");
    // No cleanup: the bare loop replays exactly the requests the fuzzer sent, nothing more.
    let setup = RunSetup::new(load_behaviour("okta").expect("okta"), 24, false, false);
    let exec = setup.executor(&driver, &runtime);
    let config = SearchConfig {
        seed: 1,
        gen: setup.gen.clone(),
        ..SearchConfig::default()
    };
    let sequences = first_sequences(&config, SEQUENCES);
    let namespaces = Namespaces::new();

    let started = Instant::now();
    let mut requests: Vec<RecordedRequest> = Vec::new();
    let mut ops = 0usize;
    for sequence in &sequences {
        let outcome = exec
            .run_case(sequence, &namespaces.next_tag(), &|_| false)
            .expect("the server answers");
        ops += outcome.steps.len();
        requests.extend(
            outcome
                .steps
                .iter()
                .flat_map(|s| s.calls.iter().map(|c| c.request.clone())),
        );
    }
    let fuzz_seconds = started.elapsed().as_secs_f64();

    // A fresh server for the bare loop, so both loops meet the same store sizes: the creates succeed
    // again (same names), reads of the first run's ids are cheap 404s.
    let bare_server = spawn_on_thread(ServerConfig::default()).expect("a second server starts");
    let old_base = server.base_url().to_string();
    let old_auth = server.authorization();
    let requests: Vec<RecordedRequest> = requests
        .into_iter()
        .map(|mut request| {
            request.url = request.url.replace(&old_base, bare_server.base_url());
            for (_, value) in request.headers.iter_mut() {
                if *value == old_auth {
                    *value = bare_server.authorization();
                }
            }
            request
        })
        .collect();
    let client = reqwest::Client::new();
    let started = Instant::now();
    runtime.block_on(async {
        for request in &requests {
            let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a method");
            let mut builder = client.request(method, &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            let response = builder.send().await.expect("the server answers");
            let _ = response.bytes().await.expect("a body");
        }
    });
    let bare_seconds = started.elapsed().as_secs_f64();

    let count = requests.len() as f64;
    let fuzz_rate = count / fuzz_seconds;
    let bare_rate = count / bare_seconds;
    println!(
        "fuzz_throughput: {} sequences, {ops} ops, {} requests",
        sequences.len(),
        requests.len()
    );
    println!(
        "  scimfuzz fuzz : {fuzz_rate:>9.0} req/s ({:.0} ops/s, model + checks included)",
        ops as f64 / fuzz_seconds
    );
    println!("  bare reqwest  : {bare_rate:>9.0} req/s (same requests, same order, no judging)");
    println!(
        "  ratio         : {:.2} (goal >= 0.8)",
        fuzz_rate / bare_rate
    );
    server.shutdown();
    bare_server.shutdown();
}
