//! The cleanup's second pass: finds what a load worker left on the server by the run's names,
//! whatever the journal knows. A create whose answer was lost (a timeout, or a 5xx after the
//! server stored it) leaves a user or group the run never learnt the id of; so does a seeding
//! that failed part-way. Every userName of a worker starts with `lt<tag>.w<worker>.` and every
//! group displayName with `lt<tag>-w<worker>-` ([`NamePartition`]), so the sweep lists
//! `userName sw "…"` and `displayName sw "…"` and, when the server refuses the filter, pages
//! through the whole collection. Only resources whose name carries the prefix are returned
//! (whatever a server's filter matched), and the sweep stops at the cleanup's deadline or after
//! [`MAX_PAGES`] pages, saying what it could not check.

use std::collections::BTreeSet;

use serde_json::Value;

use super::okta_shapes::{encode_query_value, NamePartition};
use crate::driver::{Driver, RequestSpec};

/// The page size asked for.
const PAGE: u64 = 100;
/// The most pages one collection is read in (100k resources at 100 a page).
pub const MAX_PAGES: u64 = 1_000;

/// One collection and the prefix its run names start with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// `Users` or `Groups`.
    pub collection: &'static str,
    /// `userName` or `displayName`.
    pub attribute: &'static str,
    /// The prefix of every name of this worker in the collection.
    pub prefix: String,
}

impl Namespace {
    /// The users of worker `worker` of the run tagged `tag`: `lt<tag>.w<worker>.`.
    pub fn users(tag: &str, worker: u32) -> Self {
        Self {
            collection: "Users",
            attribute: "userName",
            prefix: format!("{}w{worker}.", NamePartition::run_prefix(tag)),
        }
    }

    /// The groups of worker `worker` of the run tagged `tag`: `lt<tag>-w<worker>-`.
    pub fn groups(tag: &str, worker: u32) -> Self {
        Self {
            collection: "Groups",
            attribute: "displayName",
            prefix: format!("lt{tag}-w{worker}-"),
        }
    }

    /// Whether `resource` carries this namespace's name (compared case-insensitively: a server
    /// may store names lowercased, ours are lowercase already).
    fn owns(&self, resource: &Value) -> bool {
        resource
            .get(self.attribute)
            .and_then(Value::as_str)
            .and_then(|name| name.get(..self.prefix.len()))
            .is_some_and(|head| head.eq_ignore_ascii_case(&self.prefix))
    }

    fn filtered_page(&self, start_index: u64) -> String {
        let filter = format!("{} sw \"{}\"", self.attribute, self.prefix);
        format!(
            "/{}?filter={}&startIndex={start_index}&count={PAGE}",
            self.collection,
            encode_query_value(&filter)
        )
    }

    fn plain_page(&self, start_index: u64) -> String {
        format!("/{}?startIndex={start_index}&count={PAGE}", self.collection)
    }
}

/// What a sweep of one collection found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The ids of the resources that carry the namespace's prefix.
    pub ids: Vec<String>,
    /// The server refused the `sw` filter and the whole collection was paged through.
    pub paged: bool,
    /// Why the collection could not be read to its end, if it could not.
    pub incomplete: Option<String>,
}

/// Lists every resource of `namespace` still on the server.
pub async fn find(driver: &Driver, namespace: &Namespace) -> Found {
    let mut found = Found::default();
    let mut seen = BTreeSet::new();
    let first = match page(driver, &namespace.filtered_page(1)).await {
        Ok(page) => Some(page),
        // Refused, or not a list: page through everything instead.
        Err(PageError::Refused(_)) => None,
        Err(PageError::Failed(why)) => {
            found.incomplete = Some(why);
            return found;
        }
    };
    found.paged = first.is_none();
    let path = |start: u64| match found.paged {
        false => namespace.filtered_page(start),
        true => namespace.plain_page(start),
    };
    let mut start = 1;
    let mut current = first;
    for pages in 1..=MAX_PAGES {
        let list = match current.take() {
            Some(list) => list,
            None => match page(driver, &path(start)).await {
                Ok(list) => list,
                Err(PageError::Refused(why) | PageError::Failed(why)) => {
                    found.incomplete = Some(why);
                    break;
                }
            },
        };
        let before = seen.len();
        for resource in &list.resources {
            let Some(id) = resource.get("id").and_then(Value::as_str) else {
                continue;
            };
            if seen.insert(id.to_string()) && namespace.owns(resource) {
                found.ids.push(id.to_string());
            }
        }
        start += list.resources.len() as u64;
        let past_total = list.total.is_some_and(|total| start > total);
        // An empty page, the end, or a page of nothing new (a server ignoring startIndex).
        if list.resources.is_empty() || past_total || seen.len() == before {
            break;
        }
        if pages == MAX_PAGES {
            found.incomplete = Some(format!("stopped after {MAX_PAGES} pages"));
        }
    }
    found
}

/// One page of a list.
struct List {
    resources: Vec<Value>,
    total: Option<u64>,
}

enum PageError {
    /// The server answered, but not with a list (a refused filter: 400, 501, …).
    Refused(String),
    /// No answer.
    Failed(String),
}

async fn page(driver: &Driver, path: &str) -> Result<List, PageError> {
    let call = driver
        .send(&RequestSpec::get(path))
        .await
        .map_err(|err| PageError::Failed(format!("GET {path}: {err}")))?;
    let body = call.response.json().filter(|_| call.response.status == 200);
    let resources = body
        .as_ref()
        .and_then(|body| body.get("Resources").or_else(|| body.get("resources")))
        .and_then(Value::as_array);
    let total = body
        .as_ref()
        .and_then(|body| body.get("totalResults"))
        .and_then(Value::as_u64);
    match (resources, total) {
        (Some(resources), total) => Ok(List {
            resources: resources.clone(),
            total,
        }),
        // A list with no match may leave `Resources` out (RFC 7644 §3.4.2).
        (None, Some(total)) => Ok(List {
            resources: Vec::new(),
            total: Some(total),
        }),
        (None, None) => Err(PageError::Refused(format!(
            "GET {path} answered {}",
            call.response.status
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_prefixes_are_the_names_a_worker_gives() {
        let partition = NamePartition {
            run_tag: "0a1b2c3d".into(),
            worker: 1,
            user: 7,
        };
        let users = Namespace::users("0a1b2c3d", 1);
        let groups = Namespace::groups("0a1b2c3d", 1);
        assert!(users.owns(&json!({"userName": partition.user_name(3)})));
        assert!(users.owns(&json!({"userName": partition.user_name(3).to_uppercase()})));
        assert!(groups.owns(&json!({"displayName": partition.group_name(2)})));
        assert!(groups.owns(&json!({
            "displayName": NamePartition::shared_group_name("0a1b2c3d", 1)
        })));
        // Worker 10's names, another run's, and anything else are never ours.
        let worker_10 = NamePartition {
            worker: 10,
            ..partition.clone()
        };
        assert!(!users.owns(&json!({"userName": worker_10.user_name(3)})));
        assert!(!groups.owns(&json!({"displayName": worker_10.group_name(2)})));
        assert!(!users.owns(&json!({"userName": "lt0a1b2c3e.w1.u7.3@load.example.com"})));
        assert!(!users.owns(&json!({"userName": "alice@example.com"})));
        assert!(!users.owns(&json!({"displayName": partition.user_name(3)})));
    }

    #[test]
    fn the_filtered_page_asks_for_the_prefix_with_sw() {
        let users = Namespace::users("0a1b2c3d", 0);
        assert_eq!(
            users.filtered_page(101),
            "/Users?filter=userName%20sw%20%22lt0a1b2c3d.w0.%22&startIndex=101&count=100"
        );
        assert_eq!(
            Namespace::groups("0a1b2c3d", 0).plain_page(1),
            "/Groups?startIndex=1&count=100"
        );
    }
}
