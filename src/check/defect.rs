//! The identity of a defect: which findings are the same bug. A defect is its check id plus what
//! it is about: the attribute or filter operator the check names (the finding's `subject`), else
//! the kind of operation, plus the class of the status the server answered. Two findings with the
//! same key are one defect, reported and shrunk once; two findings that share a check id but not
//! a key (a 400 to `sw` and a 400 to a create) are two.

use super::catalogue as id;
use super::finding::Finding;
use crate::driver::Call;
use crate::model::Op;

/// Checks whose defect is server-wide: the same whatever the operation or attribute.
const SERVER_WIDE: [&str; 5] = [
    id::LATENCY,
    id::CONTENT_TYPE,
    id::SCIM_JSON_ACCEPTED,
    id::ERROR_STATUS_STRING,
    id::LEFTOVER,
];

/// The key that identifies the defect `finding` shows, for the op and exchanges it was found in.
pub fn defect_key(finding: &Finding, op: &Op, calls: &[Call]) -> String {
    if SERVER_WIDE.contains(&finding.check_id.as_str()) {
        return finding.check_id.clone();
    }
    let about = finding.subject.as_deref().unwrap_or(op.kind());
    match calls.get(finding.call_index) {
        Some(call) => format!(
            "{} [{about}] {}xx",
            finding.check_id,
            call.response.status / 100
        ),
        None => format!("{} [{about}]", finding.check_id),
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
    fn latency_is_one_defect_whatever_the_operation() {
        let calls = [exchange("POST", 201, "{}")];
        let slow = Finding::new(id::LATENCY, "600 ms", "900 ms");
        assert_eq!(defect_key(&slow, &create(), &calls), id::LATENCY);
    }
}
