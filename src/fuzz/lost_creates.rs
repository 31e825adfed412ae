//! Creates whose answer did not say what was made: a POST answered 5xx (the server may have
//! stored the resource before failing) or 2xx without a readable id (a body cut short). A case
//! that stops at such an answer has no id for the resource, so before cleanup each is looked up
//! by the exact name it was sent with, and what is found is deleted with the rest. Without this, a
//! server that fails after storing keeps the resource, and on an exclusive target every later
//! listing of the whole server is blamed for it.

use serde_json::Value;

use super::exec::created_id;
use crate::driver::{
    encode_component, Call, Driver, IdMap, RequestSpec, ResourceKind, TransportError,
};

/// The kind and exact name of every create among `calls` whose answer gave no id but may have
/// made the resource (a 4xx says it did not).
pub fn unrecorded_creates<'c>(
    calls: impl Iterator<Item = &'c Call>,
) -> Vec<(ResourceKind, String)> {
    calls
        .filter(|call| call.request.method == "POST")
        .filter(|call| !(400..500).contains(&call.response.status))
        .filter(|call| created_id(call).is_none())
        .filter_map(sent_name)
        .collect()
}

/// The kind of resource a create made and the name it was sent with (`userName`, or a group's
/// `displayName`).
fn sent_name(call: &Call) -> Option<(ResourceKind, String)> {
    let body: Value = serde_json::from_str(call.request.body.as_deref()?).ok()?;
    let kind = if call.request.url.contains("/Groups") {
        ResourceKind::Group
    } else if call.request.url.contains("/Users") {
        ResourceKind::User
    } else {
        return None;
    };
    let name = body.get(kind.name_attribute())?.as_str()?;
    Some((kind, name.to_string()))
}

/// Looks each of `creates` up by its exact name and records in `ids`, for cleanup, every
/// resource found with that name (compared caselessly, as userName is matched).
pub async fn record_unrecorded_creates(
    driver: &Driver,
    creates: &[(ResourceKind, String)],
    ids: &mut IdMap,
) -> Result<(), TransportError> {
    for (kind, name) in creates {
        let attribute = kind.name_attribute();
        let filter = format!("{attribute} eq \"{}\"", name.replace('"', "\\\""));
        let path = format!("{}?filter={}", kind.endpoint(), encode_component(&filter));
        let lookup = driver.send(&RequestSpec::get(path)).await?;
        for id in named(&lookup, attribute, name) {
            ids.note_created(*kind, id);
        }
    }
    Ok(())
}

/// The ids of the resources of a lookup's answer whose `attribute` is `name` (caselessly).
fn named(lookup: &Call, attribute: &str, name: &str) -> Vec<String> {
    if lookup.response.status != 200 {
        return Vec::new();
    }
    let body = lookup.response.json().unwrap_or_default();
    let resources = body.get("Resources").and_then(Value::as_array);
    resources
        .into_iter()
        .flatten()
        .filter(|resource| {
            resource
                .get(attribute)
                .and_then(Value::as_str)
                .is_some_and(|found| found.eq_ignore_ascii_case(name))
        })
        .filter_map(|resource| resource.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_calls::exchange;

    fn create(url: &str, sent: &str, status: u16, answer: &str) -> Call {
        let mut call = exchange("POST", status, answer);
        call.request.url = url.to_string();
        call.request.body = Some(sent.to_string());
        call
    }

    #[test]
    fn a_create_answered_5xx_or_without_an_id_is_looked_up_by_the_name_it_sent() {
        let sent = r#"{"userName":"t1.ann@example.com"}"#;
        let failed = create("http://h/Users", sent, 500, "{}");
        let cut_short = create("http://h/Users", sent, 201, r#"{"id":"u1","userNa"#);
        let group = create("http://h/Groups", r#"{"displayName":"t1 Sales"}"#, 503, "");
        assert_eq!(
            unrecorded_creates([&failed, &cut_short, &group].into_iter()),
            vec![
                (ResourceKind::User, "t1.ann@example.com".to_string()),
                (ResourceKind::User, "t1.ann@example.com".to_string()),
                (ResourceKind::Group, "t1 Sales".to_string()),
            ]
        );
    }

    #[test]
    fn a_create_refused_or_answered_with_its_id_needs_no_lookup() {
        let sent = r#"{"userName":"t1.ann@example.com"}"#;
        let refused = create("http://h/Users", sent, 409, "{}");
        let made = create("http://h/Users", sent, 201, r#"{"id":"u1"}"#);
        let read = exchange("GET", 500, "{}");
        assert!(unrecorded_creates([&refused, &made, &read].into_iter()).is_empty());
    }

    #[test]
    fn only_resources_with_the_exact_name_are_taken_from_a_lookup() {
        let answer = r#"{"Resources":[{"id":"a","userName":"T1.Ann@example.com"},
                                      {"id":"b","userName":"t1.ann@example.com.evil"}]}"#;
        let lookup = exchange("GET", 200, answer);
        assert_eq!(named(&lookup, "userName", "t1.ann@example.com"), ["a"]);
        assert!(named(&exchange("GET", 500, answer), "userName", "x").is_empty());
    }
}
