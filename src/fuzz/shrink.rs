//! The shrink walk of a failing case: proptest's simplify/complicate walk over the case's value
//! tree (simplify after a candidate that still shows the defect, complicate after one that does
//! not, until the tree can do neither), with the next candidates evaluated `width` at a time.
//!
//! The walk's next candidates depend on the verdicts, so they are foreseen: a scout tree (a fresh
//! draw of the same case, replayed through the same moves) walks ahead assuming that a candidate
//! shows the defect exactly when it is the last sequence that did (a removal undone) and not
//! otherwise. The batch is evaluated at once, then taken in order: each verdict moves the real
//! tree as the sequential walk would, and the batch ends at the first verdict the scout did not
//! foresee (the later candidates were taken on a path the walk does not follow). So the walk
//! visits the same candidates, reaches the same minimal sequence and counts the same iterations
//! whatever the width; a wider one only takes fewer rounds.

use proptest::strategy::ValueTree;

use super::plan::CaseTree;
use crate::model::Op;

/// A move of the walk, kept to replay it on a scout.
#[derive(Debug, Clone, Copy)]
enum Move {
    Simplify,
    Complicate,
}

/// A candidate's verdict: whether it shows the defect, with what its run returned; `None` when
/// it could not run (the walk stops).
pub type Verdict<T> = Option<(bool, T)>;

/// Where a walk ended.
#[derive(Debug)]
pub struct WalkEnd<T> {
    /// What the evaluation returned for the last candidate that showed the defect (`None`: no
    /// candidate did; the case as first drawn is the minimal one).
    pub minimal: Option<T>,
    /// Candidates the walk took (speculative ones it did not follow are not counted).
    pub iterations: u32,
    /// The evaluation said stop (time or target) before the walk ended.
    pub cut_short: bool,
}

/// Walks `tree` (whose current value shows the defect) to its minimal value. `fresh` draws the
/// same case again (for the scouts); `evaluate` runs a batch of candidates, at most `width`, and
/// returns per candidate in order `Some((shows the defect, payload))`, or `None` to stop. A
/// candidate that is the last sequence shown to fail (a removal undone) is not run again: it
/// counts as failing.
pub fn walk<T, E>(
    mut tree: CaseTree,
    fresh: &dyn Fn() -> CaseTree,
    width: usize,
    max_iterations: u32,
    mut evaluate: E,
) -> WalkEnd<T>
where
    E: FnMut(&[Vec<Op>]) -> Vec<Verdict<T>>,
{
    let mut end = WalkEnd {
        minimal: None,
        iterations: 0,
        cut_short: false,
    };
    let mut failing = tree.current();
    let mut moves = vec![Move::Simplify];
    // The verdict of the last candidate run: the scout foresees the next one alike.
    let mut last_run = false;
    let mut more = tree.simplify();
    while more && end.iterations < max_iterations {
        let room = (max_iterations - end.iterations) as usize;
        let batch = foresee(fresh, &moves, &failing, last_run, width.max(1), room);
        let to_run: Vec<Vec<Op>> = batch
            .iter()
            .filter(|candidate| candidate.value != candidate.failing)
            .map(|candidate| candidate.value.clone())
            .collect();
        let mut verdicts = if to_run.is_empty() {
            Vec::new()
        } else {
            evaluate(&to_run)
        }
        .into_iter();
        for candidate in batch {
            let shows = if candidate.value == candidate.failing {
                true
            } else {
                let Some(Some((shows, payload))) = verdicts.next() else {
                    end.cut_short = true;
                    return end;
                };
                last_run = shows;
                if shows {
                    end.minimal = Some(payload);
                }
                shows
            };
            end.iterations += 1;
            if shows {
                failing = candidate.value;
                moves.push(Move::Simplify);
                more = tree.simplify();
            } else {
                moves.push(Move::Complicate);
                more = tree.complicate();
            }
            if !more || shows != candidate.foreseen {
                break;
            }
        }
    }
    end
}

/// A candidate the scout foresaw: its value, the last failing sequence at that point of the
/// foreseen path, and the verdict foreseen.
struct Foreseen {
    value: Vec<Op>,
    failing: Vec<Op>,
    foreseen: bool,
}

/// The next candidates as the walk would take them if each verdict were the one foreseen (the
/// last failing sequence again fails; any other does as the last one run did), up to `width`
/// that need a run and `room` in all: a fresh draw replayed through `moves` stands where the
/// walk stands.
fn foresee(
    fresh: &dyn Fn() -> CaseTree,
    moves: &[Move],
    failing: &[Op],
    last_run: bool,
    width: usize,
    room: usize,
) -> Vec<Foreseen> {
    let mut scout = fresh();
    for step in moves {
        match step {
            Move::Simplify => scout.simplify(),
            Move::Complicate => scout.complicate(),
        };
    }
    let mut failing = failing.to_vec();
    let mut batch: Vec<Foreseen> = Vec::new();
    let mut runs = 0;
    loop {
        let value = scout.current();
        let known = value == failing;
        let shows = known || last_run;
        runs += usize::from(!known);
        batch.push(Foreseen {
            value: value.clone(),
            failing: failing.clone(),
            foreseen: shows,
        });
        if runs >= width || batch.len() >= room {
            return batch;
        }
        let more = if shows {
            failing = value;
            scout.simplify()
        } else {
            scout.complicate()
        };
        if !more {
            return batch;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{op_sequence, GenConfig};
    use proptest::strategy::Strategy;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    fn draw(seed: u8) -> CaseTree {
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let strategy = op_sequence(&GenConfig::default());
        Box::new(strategy.new_tree(&mut runner).expect("a case"))
    }

    /// A stand-in defect: some user is created and some user is read.
    fn shows(ops: &[Op]) -> bool {
        ops.iter().any(|op| op.kind() == "create-user")
            && ops.iter().any(|op| op.kind() == "get-user")
    }

    fn run(seed: u8, width: usize) -> (Option<Vec<Op>>, u32, usize) {
        let mut rounds = 0;
        let end = walk(draw(seed), &|| draw(seed), width, 400, |values| {
            rounds += 1;
            assert!(values.len() <= width);
            values
                .iter()
                .map(|ops| Some((shows(ops), ops.clone())))
                .collect()
        });
        (end.minimal, end.iterations, rounds)
    }

    /// Whatever the width, the walk reaches the same minimal case in the same number of
    /// iterations; a wider walk takes fewer rounds.
    #[test]
    fn a_wide_walk_ends_where_the_sequential_one_does_in_fewer_rounds() {
        let mut tried = 0;
        let (mut sequential_rounds, mut wide_rounds) = (0, 0);
        for seed in 0..40u8 {
            if !shows(&draw(seed).current()) {
                continue;
            }
            tried += 1;
            let (minimal, iterations, rounds) = run(seed, 1);
            assert!(rounds as u32 <= iterations);
            for width in [2, 4, 8] {
                let (wide, wide_iterations, wide_round) = run(seed, width);
                assert_eq!(wide, minimal, "seed {seed}, width {width}");
                assert_eq!(wide_iterations, iterations, "seed {seed}, width {width}");
                if width == 4 {
                    wide_rounds += wide_round;
                }
            }
            sequential_rounds += rounds;
            let minimal = minimal.expect("shrinks");
            assert!(shows(&minimal) && minimal.len() <= 3, "{minimal:?}");
        }
        eprintln!("{tried} cases: width 1 {sequential_rounds} rounds, width 4 {wide_rounds}");
        assert!(
            tried >= 5,
            "only {tried} drawn cases show the stand-in defect"
        );
        assert!(
            wide_rounds * 3 < sequential_rounds * 2,
            "width 4: {wide_rounds} rounds, width 1: {sequential_rounds}"
        );
    }

    /// A stop from the evaluation ends the walk, cut short, with what it had.
    #[test]
    fn a_stop_cuts_the_walk_short() {
        let seed = (0..40u8)
            .find(|seed| shows(&draw(*seed).current()))
            .expect("a case that shows it");
        let mut batches = 0;
        let end = walk(draw(seed), &|| draw(seed), 4, 400, |values| {
            batches += 1;
            let go = batches < 3;
            values
                .iter()
                .map(|ops| go.then(|| (shows(ops), ())))
                .collect()
        });
        assert!(end.cut_short);
        assert!(end.iterations > 0);
    }
}
