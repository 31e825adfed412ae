//! The directory a load run pages through, created before the attack through the driver
//! (`[seed_data] users`), 32 creates at a time with three tries each. When too many fail, the
//! run cannot start, and the error says why: the status and first body of a failed create.

use std::sync::{Arc, Mutex};

use tokio::task::JoinSet;

use super::okta_shapes::{create_user_body, NamePartition};
use super::report::text::describe_failure;
use super::run::LoadError;
use crate::driver::{Driver, Method, RequestSpec};

/// Creates `count` users before the run (an import needs a directory to page through); their
/// ids go into `ids` as they come, for the cleanup.
pub async fn seed_directory(
    driver: &Driver,
    count: usize,
    tag: &str,
    worker: u32,
    ids: &Arc<Mutex<Vec<String>>>,
) -> Result<(), LoadError> {
    let partition = NamePartition {
        run_tag: tag.to_string(),
        worker,
        user: usize::MAX,
    };
    let mut failures = 0usize;
    let mut first_failure: Option<(u16, String)> = None;
    let indexes: Vec<usize> = (0..count).collect();
    for chunk in indexes.chunks(32) {
        let mut running = JoinSet::new();
        for index in chunk {
            let user_name = partition.user_name(*index as u64);
            let body = create_user_body(
                &user_name,
                &format!("Seed{index}"),
                &format!("00useed{index}"),
                "Seed-pw-1",
            );
            let driver = driver.clone();
            running.spawn(async move { seed_one(&driver, body).await });
        }
        while let Some(created) = running.join_next().await {
            match created {
                Ok(Ok(id)) => ids.lock().unwrap_or_else(|p| p.into_inner()).extend(id),
                Ok(Err(why)) => {
                    failures += 1;
                    first_failure.get_or_insert(why);
                }
                Err(_) => failures += 1,
            }
        }
    }
    if failures > count / 10 {
        let why = first_failure
            .map(|(status, body)| {
                format!("; the first answered {}", describe_failure(status, &body))
            })
            .unwrap_or_default();
        return Err(LoadError::CouldNotRun(format!(
            "could not seed the directory: {failures} of {count} creates (POST /Users) failed{why}"
        )));
    }
    Ok(())
}

/// Creates one seed user (three tries): its id (if the 201 named one), or the last status
/// (0: no response) and body.
async fn seed_one(
    driver: &Driver,
    body: serde_json::Value,
) -> Result<Option<String>, (u16, String)> {
    let request = RequestSpec::with_json(Method::Post, "/Users", body);
    let mut last = (0, String::new());
    for _ in 0..3 {
        match driver.send(&request).await {
            Ok(call) if call.response.status == 201 => {
                return Ok(call
                    .response
                    .json()
                    .and_then(|body| body.get("id")?.as_str().map(str::to_string)));
            }
            Ok(call) => {
                last = (call.response.status, call.response.body.clone());
                if call.response.status == 409 {
                    break;
                }
            }
            Err(err) => last = (0, format!("no response: {err}")),
        }
    }
    Err(last)
}
