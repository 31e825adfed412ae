//! A race told as a timeline: each concurrent request and the read after them on one line, with
//! when it was sent and answered (milliseconds from the first request sent), a bar showing the
//! span, and what it answered. Read from the recorded exchanges' timings, so a server author sees
//! which requests overlapped and in what order the answers came.

use std::fmt::Write;

use crate::driver::Call;
use crate::model::Op;

/// The width of the bar, in characters.
const BAR: usize = 30;

/// The timeline of a race step (`op` with race branches and its `calls`: one per branch, then the
/// read), as text lines indented for the report; none for any other op.
pub fn race_timeline(op: &Op, calls: &[Call]) -> Option<String> {
    let branches = op.race_branches()?;
    let first = calls.iter().map(|c| c.timings.started_at_us).min()?;
    let last = calls
        .iter()
        .map(|c| c.timings.started_at_us + c.timings.total_us)
        .max()?;
    let span = (last - first).max(1);
    let mut out = format!(
        "  timeline of the {} concurrent requests and the read after them (ms from the first sent):\n",
        branches.len()
    );
    for (index, call) in calls.iter().enumerate() {
        let label = match branches.get(index) {
            Some(branch) => format!("#{index} {}", branch.kind()),
            None => "read".to_string(),
        };
        let start = call.timings.started_at_us - first;
        let end = start + call.timings.total_us;
        let _ = writeln!(
            out,
            "    {label:<18} |{}| sent {:>7.1}, answered {:>7.1}: {} {}",
            bar(start, end, span),
            start as f64 / 1000.0,
            end as f64 / 1000.0,
            call.request.method,
            call.response.status
        );
    }
    Some(out)
}

/// `   ====      `: the part of [0, span] that [start, end] covers, at least one mark.
fn bar(start: u64, end: u64, span: u64) -> String {
    let at = |t: u64| ((t.min(span) as f64 / span as f64) * BAR as f64).round() as usize;
    let from = at(start).min(BAR - 1);
    let to = at(end).clamp(from + 1, BAR);
    format!(
        "{}{}{}",
        " ".repeat(from),
        "=".repeat(to - from),
        " ".repeat(BAR - to)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_calls::exchange;
    use crate::model::UserHandle;

    fn at(method: &str, status: u16, start_us: u64, total_us: u64) -> Call {
        let mut call = exchange(method, status, "{}");
        call.timings.started_at_us = 1_000_000 + start_us;
        call.timings.total_us = total_us;
        call
    }

    /// Two creates sent together, the second answered first, then the read: each line says when
    /// its request was sent and answered and what it answered, the bars show the overlap.
    #[test]
    fn each_request_shows_when_it_was_sent_and_answered_and_what_it_answered() {
        let op = Op::RaceCreate {
            user: UserHandle(0),
            branches: 2,
        };
        let calls = [
            at("POST", 201, 0, 20_000),
            at("POST", 201, 1_000, 9_000),
            at("GET", 200, 25_000, 5_000),
        ];
        let shown = race_timeline(&op, &calls).expect("a race");
        assert_eq!(
            shown,
            "  timeline of the 2 concurrent requests and the read after them (ms from the first sent):\n\
             \x20   #0 create-user     |====================          | sent     0.0, answered    20.0: POST 201\n\
             \x20   #1 create-user     | =========                    | sent     1.0, answered    10.0: POST 201\n\
             \x20   read               |                         =====| sent    25.0, answered    30.0: GET 200\n"
        );
    }

    #[test]
    fn an_op_that_is_not_a_race_has_no_timeline() {
        let op = Op::GetUser {
            user: UserHandle(0),
        };
        assert_eq!(race_timeline(&op, &[at("GET", 200, 0, 1)]), None);
    }

    #[test]
    fn a_request_too_short_to_see_still_gets_one_mark() {
        assert_eq!(bar(10, 10, 1_000).matches('=').count(), 1);
        assert_eq!(bar(1_000, 1_000, 1_000).matches('=').count(), 1);
    }
}
