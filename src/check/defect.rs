//! The identity of a defect: which findings are the same bug. A defect is its check id plus what
//! it is about: the attribute or filter operator the check names (the finding's `subject`), else
//! the kind of operation, plus the class of the status the server answered. Two findings with the
//! same key are one defect, reported and shrunk once; two findings that share a check id but not
//! a key (a 400 to `sw` and a 400 to a create) are two. An answer of 5xx is a server failure
//! before it is anything else: whichever check met it (a 500 where a 401, a 404 or a 409 was due),
//! it is the server-error defect of its kind of operation.

use super::catalogue as id;
use super::finding::Finding;
use crate::driver::Call;
use crate::model::Op;

/// Checks whose defect is server-wide: the same whatever the operation, attribute or status (a
/// deactivated user hidden is one defect whether a GET answered 404 or a filter left it out).
const SERVER_WIDE: [&str; 7] = [
    id::DEACTIVATED_READABLE,
    id::LATENCY,
    id::CONTENT_TYPE,
    id::SCIM_JSON_ACCEPTED,
    id::ERROR_STATUS_STRING,
    id::LEFTOVER,
    id::LOCATION,
];

/// Checks that say only "wrong" without naming the rule: the operation tells their defects apart.
/// Every other check names one rule, and the operation that met it does not matter.
const GENERIC: [&str; 6] = [
    id::STATUS,
    id::NO_SERVER_ERROR,
    id::ERROR_BODY,
    id::CONTENT,
    id::FILTER_MISSING_MATCH,
    id::FILTER_UNEXPECTED_MATCH,
];

/// Checks that an attribute is stored as sent, by the request that sent it.
const STORED_AS_SENT: [&str; 3] = [id::CONTENT, id::PUT_RESULT, id::PATCH_RESULT];

/// The key that identifies the defect `finding` shows, for the op and exchanges it was found in.
/// A 501 is one defect per method: the server does not implement it (RFC 7644 §3.12), whichever
/// check met it first.
pub fn defect_key(finding: &Finding, op: &Op, calls: &[Call]) -> String {
    if SERVER_WIDE.contains(&finding.check_id.as_str()) {
        return finding.check_id.clone();
    }
    let call = calls.get(finding.call_index);
    if let Some(call) = call.filter(|call| call.response.status == 501) {
        return format!("not-implemented [{}] 5xx", call.request.method);
    }
    if call.is_some_and(|call| call.response.status >= 500) {
        let kind = kind_of_call(op, finding.call_index);
        return format!("{} [{kind}] 5xx", id::NO_SERVER_ERROR);
    }
    let generic = GENERIC.contains(&finding.check_id.as_str());
    // An attribute the server does not keep as sent is one defect whether a create, a PATCH or
    // a PUT sent it (e.g. a displayName derived from the name parts).
    if let (Some(subject), true) = (
        &finding.subject,
        STORED_AS_SENT.contains(&finding.check_id.as_str()),
    ) {
        let status = call.map_or(0, |call| call.response.status / 100);
        return format!("{} [{subject}] {status}xx", id::CONTENT);
    }
    let about = match (&finding.subject, generic) {
        (Some(subject), _) => format!(" [{subject}]"),
        (None, true) => format!(" [{}]", kind_of_call(op, finding.call_index)),
        (None, false) => String::new(),
    };
    let status = call.map_or(String::new(), |call| {
        format!(" {}xx", call.response.status / 100)
    });
    format!("{}{about}{status}", finding.check_id)
}

/// Whether defect `key` is a server error (`status.no-5xx [kind] 5xx`), whatever its kind.
pub fn is_server_error(key: &str) -> bool {
    key.starts_with(id::NO_SERVER_ERROR) && key.ends_with(" 5xx")
}

/// The kind of operation exchange `call_index` of `op` belongs to: a race's branch (its first
/// calls) or the read after them.
fn kind_of_call(op: &Op, call_index: usize) -> &'static str {
    match op.race_branches() {
        Some(branches) => branches.get(call_index).map_or("race-read", Op::kind),
        None => op.kind(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_calls::exchange;
    use crate::model::{BogusId, Spelling, UserHandle};

    fn create() -> Op {
        Op::CreateUser {
            user: UserHandle(0),
            spelling: Spelling::Base,
        }
    }

    #[test]
    fn one_check_id_gives_two_defects_when_they_are_about_different_things() {
        let calls = [exchange("GET", 400, "{}")];
        let on_sw = Finding::new(id::STATUS, "HTTP 200", "HTTP 400").about("userName sw");
        let on_co = Finding::new(id::STATUS, "HTTP 200", "HTTP 400").about("userName co");
        let list = Op::GetBogusUser {
            id: BogusId::BulkId,
        };
        assert_ne!(
            defect_key(&on_sw, &list, &calls),
            defect_key(&on_co, &list, &calls)
        );
    }

    #[test]
    fn without_a_subject_the_operation_and_the_status_class_tell_defects_apart() {
        let refused = [exchange("POST", 400, "{}")];
        let failed = [exchange("POST", 500, "{}")];
        let finding = Finding::new(id::STATUS, "HTTP 201", "HTTP 4xx");
        assert_eq!(
            defect_key(&finding, &create(), &refused),
            "status.expected [create-user] 4xx"
        );
        assert_ne!(
            defect_key(&finding, &create(), &refused),
            defect_key(&finding, &create(), &failed)
        );
    }

    #[test]
    fn a_check_that_names_its_rule_is_one_defect_whatever_the_operation() {
        let calls = [exchange("GET", 404, "{}")];
        let hidden = Finding::new(id::DEACTIVATED_READABLE, "HTTP 200", "HTTP 404");
        let get = Op::GetUser {
            user: UserHandle(0),
        };
        let set_active = Op::SetActive {
            user: UserHandle(0),
            active: true,
            capitalised: false,
        };
        assert_eq!(
            defect_key(&hidden, &get, &calls),
            defect_key(&hidden, &set_active, &calls)
        );
        let left_out = [exchange("GET", 200, "{}")];
        let list = Op::WalkUsers {
            page_size: 1,
            namespaced: true,
        };
        assert_eq!(
            defect_key(&hidden, &get, &calls),
            defect_key(&hidden, &list, &left_out),
            "hidden by a 404 or left out of a list: one defect"
        );
    }

    #[test]
    fn every_501_to_one_method_is_one_defect() {
        let calls = [exchange("PATCH", 501, "{}")];
        let remove = Finding::new(id::PATCH_REMOVE_ABSENT, "HTTP 204", "HTTP 501");
        let status = Finding::new(id::NO_SERVER_ERROR, "HTTP 200", "HTTP 501");
        assert_eq!(
            defect_key(&remove, &create(), &calls),
            "not-implemented [PATCH] 5xx"
        );
        assert_eq!(
            defect_key(&status, &create(), &calls),
            "not-implemented [PATCH] 5xx"
        );
    }

    #[test]
    fn a_5xx_is_the_server_error_of_its_operation_whichever_check_met_it() {
        let calls = [exchange("POST", 500, "{}")];
        let duplicate = Finding::new(id::DUPLICATE_409, "HTTP 409", "HTTP 500");
        let status = Finding::new(id::NO_SERVER_ERROR, "HTTP 201", "HTTP 500");
        assert_eq!(
            defect_key(&duplicate, &create(), &calls),
            "status.no-5xx [create-user] 5xx"
        );
        assert_eq!(
            defect_key(&duplicate, &create(), &calls),
            defect_key(&status, &create(), &calls)
        );
        let get = Op::GetUser {
            user: UserHandle(0),
        };
        assert_ne!(
            defect_key(&status, &create(), &calls),
            defect_key(&status, &get, &[exchange("GET", 500, "{}")]),
            "a 500 to a create and a 500 to a read: two defects"
        );
    }

    #[test]
    fn an_attribute_not_kept_is_one_defect_whether_a_create_or_a_put_sent_it() {
        let calls = [exchange("PUT", 200, "{}")];
        let on_create = Finding::new(id::CONTENT, "x", "y").about("displayName");
        let on_put = Finding::new(id::PUT_RESULT, "x", "y").about("displayName");
        assert_eq!(
            defect_key(&on_create, &create(), &calls),
            defect_key(&on_put, &create(), &calls)
        );
    }

    #[test]
    fn latency_is_one_defect_whatever_the_operation() {
        let calls = [exchange("POST", 201, "{}")];
        let slow = Finding::new(id::LATENCY, "600 ms", "900 ms");
        assert_eq!(defect_key(&slow, &create(), &calls), id::LATENCY);
    }
}
