//! Which findings follow from an earlier one: a failure whose minimal case still holds, before
//! its own finding, a blocking finding of another reported defect needed that earlier divergence
//! to happen (shrinking kept it), so it is grouped under that defect. The first divergence of a
//! chain is the cause; every failure that leads back to it "follows from it". Only a divergence
//! that can change what later ops meet counts: an answer in the wrong form (an error body, a
//! missing `scimType`, a slow answer) changes nothing, and an attribute stored otherwise than sent
//! is adopted by the model from the server's answer (`model::adopt`), so later ops are predicted
//! from what the server holds (a derived displayName does not make a PATCH answer 501, nor an
//! `and` ignore a clause). Data, not text: the text, JSON (`follows_from`), JUnit and HTML
//! reports all read [`causes`]. Where the run found that the server ignores filters, every
//! failure met through a filtered request follows from that: its evidence means nothing.

use crate::check::{catalogue as id, Finding};
use crate::fuzz::{Failure, FILTER_IGNORED};

/// Checks whose findings nothing later follows from: the form of an answer (the server did what
/// the model predicted), or an attribute's stored value (which the model adopts).
const NO_CONSEQUENCE: [&str; 9] = [
    id::ERROR_BODY,
    id::UNIQUENESS_SCIM_TYPE,
    id::ERROR_STATUS_STRING,
    id::LOCATION,
    id::CONTENT_TYPE,
    id::LATENCY,
    id::CONTENT,
    id::PUT_RESULT,
    id::PATCH_RESULT,
];

/// What a failure follows from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The index (in `SearchSummary::failures`) of the failure that is the cause.
    pub index: usize,
    /// The defect of the earlier divergence seen in this failure's minimal case (the cause's own
    /// defect, or one that follows from it).
    pub defect: String,
    /// The op of this failure's minimal case where that earlier divergence shows.
    pub op_index: usize,
}

/// What a reader needs to know of an intermittent failure (`None` for one that reproduces): how
/// often its case showed it, that it was not shrunk, and the other defects it stands for.
pub fn intermittent_note(failure: &Failure) -> Option<String> {
    let intermittent = failure.intermittent.as_ref()?;
    let mut note = format!(
        "intermittent: the same sequence, run again unchanged, showed it in {} of {} runs, so it \
         was not shrunk; a server failing now and then is one defect",
        intermittent.shown, intermittent.runs
    );
    if !intermittent.also.is_empty() {
        note.push_str(&format!(
            "; also seen now and then in this run ({}): {}",
            intermittent.also.len(),
            intermittent.also.join(", ")
        ));
    }
    Some(note)
}

/// For every failure of a search (`SearchSummary::failures`, same order), the failure it follows from, if any.
pub fn causes(failures: &[Failure]) -> Vec<Option<Cause>> {
    let direct: Vec<Option<Cause>> = failures
        .iter()
        .enumerate()
        .map(|(index, failure)| earlier_divergence(failures, index, failure))
        .collect();
    (0..direct.len())
        .map(|index| root_of(&direct, index))
        .collect()
}

/// The first blocking finding of the minimal case, before the failure's own, whose defect is
/// another reported failure's; else, for a failure met through a filter, the run's finding that
/// the server ignores filters.
fn earlier_divergence(failures: &[Failure], index: usize, failure: &Failure) -> Option<Cause> {
    let own = failure.finding()?;
    if let Some(cause) = through_an_ignored_filter(failures, index, failure, own) {
        return Some(cause);
    }
    let own_at = (own.op_index, own.call_index);
    failure
        .minimal
        .steps
        .iter()
        .enumerate()
        .flat_map(|(op_index, step)| {
            step.findings
                .iter()
                .filter(|f| f.is_blocking())
                .map(move |f| (op_index, step.defect_of(f), f))
        })
        .filter(|(op_index, _, f)| (*op_index, f.call_index) < own_at)
        .filter(|(_, _, f)| !NO_CONSEQUENCE.contains(&f.check_id.as_str()))
        .find_map(|(op_index, defect, _)| {
            let cause = failures
                .iter()
                .enumerate()
                .position(|(other, f)| other != index && f.stands_for(&defect))?;
            Some(Cause {
                index: cause,
                defect,
                op_index,
            })
        })
}

/// The failure that shows the server ignores filters, when `failure` (not it; its finding `own`)
/// was met through a request that carried a filter.
fn through_an_ignored_filter(
    failures: &[Failure],
    index: usize,
    failure: &Failure,
    own: &Finding,
) -> Option<Cause> {
    let ignored = format!("[{FILTER_IGNORED}]");
    let cause = failures
        .iter()
        .position(|f| f.defect.contains(&ignored))
        .filter(|&cause| cause != index)?;
    let call = failure
        .minimal
        .steps
        .get(own.op_index)?
        .calls
        .get(own.call_index)?;
    call.request.url.contains("filter=").then(|| Cause {
        index: cause,
        defect: failures[cause].defect.clone(),
        op_index: own.op_index,
    })
}

/// The cause at the start of `index`'s chain (a failure following one that follows another
/// belongs to the first); a cycle, which no real run makes, stops where it closes.
fn root_of(direct: &[Option<Cause>], index: usize) -> Option<Cause> {
    let mut cause = direct.get(index)?.clone()?;
    for _ in 0..direct.len() {
        match &direct[cause.index] {
            Some(next) if next.index != index => {
                cause = Cause {
                    index: next.index,
                    ..cause
                }
            }
            _ => break,
        }
    }
    Some(cause)
}

/// The order to show failures in: each cause followed by the failures that follow from it, the
/// rest in their own order.
pub fn grouped_order(causes: &[Option<Cause>]) -> Vec<usize> {
    let mut order = Vec::with_capacity(causes.len());
    for (index, cause) in causes.iter().enumerate() {
        if cause.is_some() {
            continue;
        }
        order.push(index);
        order.extend(
            causes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.as_ref().is_some_and(|c| c.index == index))
                .map(|(follower, _)| follower),
        );
    }
    // A failure whose cause is itself part of a cycle is still shown, last.
    for index in 0..causes.len() {
        if !order.contains(&index) {
            order.push(index);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{catalogue as id, test_calls::exchange, Finding};
    use crate::fuzz::{CaseOutcome, Step};
    use crate::model::{Expected, GroupHandle, Op, Spelling, UserHandle};

    fn step(op: Op, status: u16, findings: Vec<Finding>) -> Step {
        Step {
            op,
            expected: Expected::NotFound,
            calls: vec![exchange("POST", status, "{}")],
            findings,
            read_back: Vec::new(),
            diagnosis: Vec::new(),
            localized: None,
        }
    }

    fn create_user() -> Op {
        Op::CreateUser {
            user: UserHandle(0),
            spelling: Spelling::Base,
        }
    }

    fn create_group() -> Op {
        Op::CreateGroup {
            group: GroupHandle(0),
            members: vec![UserHandle(0)],
        }
    }

    fn get_group() -> Op {
        Op::GetGroup {
            group: GroupHandle(0),
        }
    }

    fn failure(steps: Vec<Step>) -> Failure {
        let minimal = CaseOutcome {
            tag: "1".into(),
            steps,
            skipped: 0,
            cleanup_refused: 0,
        };
        let (defect, finding) = minimal
            .blocking_defects()
            .last()
            .map(|(key, f)| (key, f.check_id.clone()))
            .expect("a blocking finding");
        Failure {
            check_id: finding,
            defect,
            original_len: minimal.steps.len(),
            minimal,
            seconds_to_detect: 0.0,
            seconds_to_shrink: 0.0,
            shrink_cut_short: false,
            intermittent: None,
        }
    }

    fn refused(op_index: usize) -> Finding {
        let mut finding = Finding::new(id::STATUS, "HTTP 201", "HTTP 400");
        finding.op_index = op_index;
        finding
    }

    fn missing(op_index: usize) -> Finding {
        let mut finding = Finding::new(id::NOT_FOUND_404, "HTTP 200", "HTTP 404");
        finding.op_index = op_index;
        finding
    }

    /// A group create refused (finding 1); a later read of that group fails in a case that still
    /// holds the refused create (finding 2): finding 2 follows from finding 1.
    #[test]
    fn a_finding_whose_minimal_case_holds_an_earlier_defect_follows_from_it() {
        let first = failure(vec![
            step(create_user(), 201, vec![]),
            step(create_group(), 400, vec![refused(1)]),
        ]);
        let second = failure(vec![
            step(create_user(), 201, vec![]),
            step(create_group(), 400, vec![refused(1)]),
            step(get_group(), 404, vec![missing(2)]),
        ]);
        let unrelated = failure(vec![step(
            get_group(),
            500,
            vec![{
                let mut f = Finding::new(id::NO_SERVER_ERROR, "HTTP 200", "HTTP 500");
                f.op_index = 0;
                f
            }],
        )]);
        let causes = causes(&[first.clone(), second, unrelated]);
        assert_eq!(causes[0], None, "the cause follows from nothing");
        assert_eq!(
            causes[1],
            Some(Cause {
                index: 0,
                defect: first.defect.clone(),
                op_index: 1
            })
        );
        assert_eq!(
            causes[2], None,
            "a 500 with no earlier divergence stands alone"
        );
        assert_eq!(grouped_order(&causes), vec![0, 1, 2]);
    }

    /// A derived displayName (the server stores its own, the model adopts it) or a 409 without
    /// scimType changes nothing a later op meets: a failure after them in its case stands alone.
    #[test]
    fn a_divergence_that_changes_nothing_later_is_no_cause() {
        let derived = |op_index| {
            let mut finding =
                Finding::new(id::CONTENT, "displayName = \"a\"", "displayName = \"b\"")
                    .about("displayName");
            finding.op_index = op_index;
            finding
        };
        let no_scim_type = |op_index| {
            let mut finding = Finding::new(id::UNIQUENESS_SCIM_TYPE, "uniqueness", "null");
            finding.op_index = op_index;
            finding
        };
        let first = failure(vec![step(create_user(), 201, vec![derived(0)])]);
        let scim_type = failure(vec![step(create_user(), 409, vec![no_scim_type(0)])]);
        let after_both = failure(vec![
            step(create_user(), 201, vec![derived(0)]),
            step(create_user(), 409, vec![no_scim_type(1)]),
            step(get_group(), 404, vec![missing(2)]),
        ]);
        let causes = causes(&[first, scim_type, after_both]);
        assert_eq!(causes, vec![None, None, None]);
    }

    /// Where the run found that the server ignores filters, a failure met through a filtered
    /// request follows from that finding; one met by id does not.
    #[test]
    fn a_failure_met_through_a_filter_follows_from_filters_being_ignored() {
        let ignored = {
            let mut finding = Finding::new(id::FILTER_UNEXPECTED_MATCH, "only user#0", "user#1")
                .about(FILTER_IGNORED);
            finding.op_index = 0;
            failure(vec![step(create_user(), 200, vec![finding])])
        };
        let through_filter = |url: &str| {
            let mut hidden = Finding::new(id::DEACTIVATED_READABLE, "user#0", "[]");
            hidden.op_index = 0;
            let mut step = step(get_group(), 200, vec![hidden]);
            step.calls[0].request.url = url.to_string();
            failure(vec![step])
        };
        let causes = causes(&[
            ignored.clone(),
            through_filter("http://x/Users?filter=userName%20eq%20%22a%22"),
            through_filter("http://x/Users/1"),
        ]);
        assert_eq!(causes[0], None);
        assert_eq!(
            causes[1],
            Some(Cause {
                index: 0,
                defect: ignored.defect.clone(),
                op_index: 0
            })
        );
        assert_eq!(causes[2], None, "a read by id is evidence of its own");
    }

    /// A chain (3 follows 2, which follows 1) is grouped under its first divergence, and shown
    /// right after it.
    #[test]
    fn a_chain_is_grouped_under_its_first_divergence() {
        let stale = |op_index| {
            let mut finding = Finding::new(id::PATCH_RESULT, "x = 1", "x = 2");
            finding.op_index = op_index;
            finding
        };
        let first = failure(vec![step(create_group(), 400, vec![refused(0)])]);
        let lone = failure(vec![step(create_user(), 200, vec![stale(0)])]);
        let second = failure(vec![
            step(create_group(), 400, vec![refused(0)]),
            step(get_group(), 404, vec![missing(1)]),
        ]);
        let third = failure(vec![
            step(get_group(), 404, vec![missing(0)]),
            step(
                get_group(),
                500,
                vec![{
                    let mut f = Finding::new(id::NO_SERVER_ERROR, "HTTP 200", "HTTP 500");
                    f.op_index = 1;
                    f
                }],
            ),
        ]);
        let causes = causes(&[first, lone, second, third]);
        assert_eq!(causes[2].as_ref().map(|c| c.index), Some(0));
        assert_eq!(
            causes[3].as_ref().map(|c| (c.index, c.op_index)),
            Some((0, 0)),
            "through finding 3 to finding 1"
        );
        assert_eq!(grouped_order(&causes), vec![0, 2, 3, 1]);
    }
}
