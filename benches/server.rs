//! Criterion bench of the reference server: `GET /Users/{id}` throughput over loopback (batches
//! of concurrent requests from one shared reqwest client), the `userName eq` lookup Okta sends
//! before every create against a store of 10,000 users, and — printed before the benches — the
//! memory one stored user costs (100,000 Okta-shaped users inserted through the store directly,
//! RSS from /proc/self/statm before and after).
//!
//! Run: `cargo bench --bench server`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use futures::future::join_all;
use serde_json::{json, Map, Value};

use scimfuzz::server::store::{Kind, Store};
use scimfuzz::server::{spawn_on_thread, FaultSet, RunningServer, ServerConfig};

/// Concurrent requests per measured batch.
const BATCH: usize = 64;
/// Users in the store for the throughput benches.
const STORED_USERS: usize = 10_000;
/// Users inserted for the memory measurement.
const MEMORY_USERS: usize = 100_000;

fn okta_user(n: usize) -> Map<String, Value> {
    let user_name = format!("runscope{n:06}.hfluaklab@atko.com");
    let body = json!({
        "userName": user_name,
        "name": { "givenName": "Runscope", "familyName": format!("Hfluaklab{n}") },
        "emails": [{ "primary": true, "value": user_name, "type": "work" }],
        "displayName": format!("Runscope Hfluaklab{n}"),
        "locale": "en-US",
        "externalId": format!("00ujl29u0le5T6A{n:06}"),
        "password": "1mz050nq",
        "active": true,
    });
    body.as_object().cloned().unwrap_or_default()
}

/// Resident set size in bytes, from /proc/self/statm (Linux).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Prints the RSS growth per stored user for [`MEMORY_USERS`] users.
fn report_memory_per_user() {
    let store = Store::new(&FaultSet::new(&[]));
    let before = resident_bytes();
    for n in 0..MEMORY_USERS {
        let _ = store.insert(Kind::User, store.prepare(okta_user(n)), true);
    }
    let after = resident_bytes();
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "memory: {MEMORY_USERS} stored users grew RSS by {:.1} MiB = {} bytes per user",
            (after.saturating_sub(before)) as f64 / 1_048_576.0,
            after.saturating_sub(before) / MEMORY_USERS as u64
        ),
        _ => println!("memory: /proc/self/statm is not readable here; no figure"),
    }
    black_box(&store);
}

/// A server with [`STORED_USERS`] seeded users, and the ids of the users.
fn seeded_server(
    runtime: &tokio::runtime::Runtime,
    client: &reqwest::Client,
) -> (RunningServer, Vec<String>) {
    let config = ServerConfig {
        seed_users: STORED_USERS,
        ..ServerConfig::default()
    };
    let server = spawn_on_thread(config).expect("the server starts");
    let ids = runtime.block_on(async {
        let list: Value = client
            .get(format!("{}/Users?count=1000", server.base_url()))
            .header("Authorization", server.authorization())
            .send()
            .await
            .expect("list answers")
            .json()
            .await
            .expect("list is JSON");
        list["Resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["id"].as_str().map(str::to_string))
            .collect()
    });
    (server, ids)
}

async fn get_batch(client: &reqwest::Client, urls: &[String], auth: &str) {
    let requests = urls.iter().map(|url| async move {
        let response = client
            .get(url)
            .header("Authorization", auth)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status().as_u16(), 200);
        response.bytes().await.expect("a body").len()
    });
    black_box(join_all(requests).await);
}

fn bench_http(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(BATCH)
        .build()
        .expect("a client");
    let (server, ids) = seeded_server(&runtime, &client);
    let auth = server.authorization();
    let by_id: Vec<String> = (0..BATCH)
        .map(|n| format!("{}/Users/{}", server.base_url(), ids[n * 7 % ids.len()]))
        .collect();
    let lookups: Vec<String> = (0..BATCH)
        .map(|n| {
            format!(
                "{}/Users?filter=userName%20eq%20%22SEED.USER{}%40example.com%22",
                server.base_url(),
                n * 131 % STORED_USERS
            )
        })
        .collect();
    let mut group = c.benchmark_group("server");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("get_user_by_id", |b| {
        b.iter(|| runtime.block_on(get_batch(&client, &by_id, &auth)))
    });
    group.bench_function("username_eq_lookup_10k_users", |b| {
        b.iter(|| runtime.block_on(get_batch(&client, &lookups, &auth)))
    });
    group.finish();
    drop(server);
}

fn main() {
    report_memory_per_user();
    let mut criterion = Criterion::default().configure_from_args();
    bench_http(&mut criterion);
    criterion.final_summary();
}
