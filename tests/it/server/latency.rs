//! `ServerConfig::latency` (`scimfuzz serve --latency`): every response waits, each on its own,
//! so requests sent at once overlap their waits. Not a fault: the answers stay correct.

use std::time::{Duration, Instant};

use scimfuzz::server::ServerConfig;

use super::support::{user_body, Scim};

const LATENCY: Duration = Duration::from_millis(400);
const AT_ONCE: u32 = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_waits_the_latency_and_concurrent_requests_wait_together() {
    let scim = Scim::start_config(ServerConfig {
        latency: LATENCY,
        ..ServerConfig::default()
    })
    .await;
    let alone = Instant::now();
    let created = scim.post("/Users", &user_body("slow@example.com")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(
        alone.elapsed() >= LATENCY,
        "the create waited {:?}",
        alone.elapsed()
    );

    let together = Instant::now();
    let reads =
        (0..AT_ONCE).map(|_| scim.get("/Users?filter=userName%20eq%20%22slow@example.com%22"));
    let replies = futures::future::join_all(reads).await;
    let elapsed = together.elapsed();
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["totalResults"], 1);
    }
    // One after another they would take AT_ONCE × LATENCY (3.2 s); at once, about one LATENCY.
    assert!(elapsed >= LATENCY, "{AT_ONCE} reads took {elapsed:?}");
    assert!(
        elapsed < LATENCY * AT_ONCE / 2,
        "{AT_ONCE} concurrent reads took {elapsed:?}: the waits did not overlap"
    );
}
