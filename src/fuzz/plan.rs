//! The cases of a run, numbered: the directed first pass (`gen::directed_cases`), then the race
//! cases, then the random search. Case `i` is a pure function of the seed and `i` (each drawn case
//! has its own RNG, seeded from both), so the same seed gives the same cases however many run at
//! once and whatever failed before. Every case comes as a proptest value tree, so a failing one
//! shrinks the same way whether it was drawn or directed (a directed case shrinks by removing ops).

use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::race::race_sequence;
use super::runner::SearchConfig;
use crate::gen::{directed_cases, op_sequence};
use crate::model::Op;

/// A case and how it shrinks.
pub type CaseTree = Box<dyn ValueTree<Value = Vec<Op>>>;

/// Which part of the run a case belongs to, and its number within that part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Directed(usize),
    Race(u64),
    Random(u64),
}

/// Distinct RNG streams for the race and random parts.
const RACE_STREAM: u64 = 0x5241_4345;
const RANDOM_STREAM: u64 = 0;

/// Every case of a run, in order.
#[derive(Debug, Clone)]
pub struct Plan {
    seed: u64,
    directed: Vec<Vec<Op>>,
    races: u64,
    random: u64,
}

impl Plan {
    /// The cases `config` asks for.
    pub fn new(config: &SearchConfig) -> Self {
        let mut directed = if config.directed {
            directed_cases(&config.gen, config.race_cases > 0)
        } else {
            Vec::new()
        };
        directed.retain(|case| case.iter().all(|op| config.gen.allows(op)));
        Self {
            seed: config.seed,
            directed,
            races: u64::from(config.race_cases),
            random: u64::from(config.cases),
        }
    }

    /// How many cases the plan holds.
    pub fn len(&self) -> u64 {
        self.directed.len() as u64 + self.races + self.random
    }

    /// Where case `index` comes from.
    pub fn source(&self, index: u64) -> Source {
        let directed = self.directed.len() as u64;
        if index < directed {
            Source::Directed(index as usize)
        } else if index < directed + self.races {
            Source::Race(index - directed)
        } else {
            Source::Random(index - directed - self.races)
        }
    }

    /// Case `index` as a value tree (`None` if the strategy could not draw it).
    pub fn case(&self, index: u64, strategies: &Strategies) -> Option<CaseTree> {
        match self.source(index) {
            Source::Directed(i) => Some(Box::new(Removal::new(self.directed[i].clone()))),
            Source::Race(i) => draw(&strategies.race, self.seed ^ RACE_STREAM, i),
            Source::Random(i) => draw(&strategies.random, self.seed ^ RANDOM_STREAM, i),
        }
    }
}

/// The strategies cases are drawn from (one set per worker thread: strategies are not `Sync`).
pub struct Strategies {
    race: BoxedStrategy<Vec<Op>>,
    random: BoxedStrategy<Vec<Op>>,
}

impl Strategies {
    pub fn new(config: &SearchConfig) -> Self {
        Self {
            race: allowed_races(config),
            random: op_sequence(&config.gen),
        }
    }
}

/// The race strategy without races that change what the server's schema makes unchangeable.
fn allowed_races(config: &SearchConfig) -> BoxedStrategy<Vec<Op>> {
    let gen = config.gen.clone();
    let races = race_sequence(gen.groups);
    if !gen.restricts_changes() {
        return races;
    }
    races
        .prop_filter("a race changes an unchangeable attribute", move |ops| {
            ops.iter().all(|op| gen.allows(op))
        })
        .boxed()
}

fn draw(strategy: &BoxedStrategy<Vec<Op>>, seed: u64, index: u64) -> Option<CaseTree> {
    let config = Config {
        failure_persistence: None,
        max_global_rejects: 1_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, seeded_rng(seed, index));
    strategy.new_tree(&mut runner).ok()
}

/// A ChaCha RNG whose 32-byte seed is expanded (splitmix64) from the user's seed and the case.
fn seeded_rng(seed: u64, case: u64) -> TestRng {
    let mut state = seed ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// A fixed sequence that shrinks by leaving out one op at a time, first to last (each removal
/// kept when the defect still shows, undone when it does not).
#[derive(Debug, Clone)]
pub struct Removal {
    ops: Vec<Op>,
    kept: Vec<bool>,
    next: usize,
    last: Option<usize>,
}

impl Removal {
    pub fn new(ops: Vec<Op>) -> Self {
        let kept = vec![true; ops.len()];
        Self {
            ops,
            kept,
            next: 0,
            last: None,
        }
    }
}

impl ValueTree for Removal {
    type Value = Vec<Op>;

    fn current(&self) -> Vec<Op> {
        self.ops
            .iter()
            .zip(&self.kept)
            .filter(|(_, kept)| **kept)
            .map(|(op, _)| op.clone())
            .collect()
    }

    fn simplify(&mut self) -> bool {
        // Never remove the last op left: an empty case shows nothing.
        while self.next < self.ops.len() && self.kept.iter().filter(|k| **k).count() > 1 {
            let index = self.next;
            self.next += 1;
            if self.kept[index] {
                self.kept[index] = false;
                self.last = Some(index);
                return true;
            }
        }
        false
    }

    fn complicate(&mut self) -> bool {
        match self.last.take() {
            Some(index) => {
                self.kept[index] = true;
                true
            }
            None => false,
        }
    }
}

/// The random cases a seed draws first (for "same seed, same sequence" checks and debugging).
pub fn first_sequences(config: &SearchConfig, count: usize) -> Vec<Vec<Op>> {
    let strategy = op_sequence(&config.gen);
    (0..count as u64)
        .filter_map(|index| draw(&strategy, config.seed ^ RANDOM_STREAM, index))
        .map(|tree| tree.current())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UserHandle;

    fn get(slot: u8) -> Op {
        Op::GetUser {
            user: UserHandle(slot),
        }
    }

    /// A removal that still fails is kept, one that passes is undone, and the walk ends.
    #[test]
    fn removal_leaves_out_ops_one_at_a_time() {
        let mut tree = Removal::new(vec![get(0), get(1), get(2)]);
        assert!(tree.simplify());
        assert_eq!(tree.current(), vec![get(1), get(2)]);
        // Still failing: keep it and go on.
        assert!(tree.simplify());
        assert_eq!(tree.current(), vec![get(2)]);
        // Passing: undo.
        assert!(tree.complicate());
        assert_eq!(tree.current(), vec![get(1), get(2)]);
        assert!(tree.simplify());
        assert_eq!(tree.current(), vec![get(1)]);
        assert!(tree.complicate());
        assert!(!tree.simplify());
        assert_eq!(tree.current(), vec![get(1), get(2)]);
    }

    /// Case `i` is the same whatever came before it, and each part of the plan is where it says.
    #[test]
    fn a_case_depends_only_on_the_seed_and_its_number() {
        let config = SearchConfig {
            seed: 9,
            cases: 5,
            race_cases: 2,
            ..SearchConfig::default()
        };
        let plan = Plan::new(&config);
        let strategies = Strategies::new(&config);
        let directed = plan.len() - 7;
        assert_eq!(plan.source(0), Source::Directed(0));
        assert_eq!(plan.source(directed), Source::Race(0));
        assert_eq!(plan.source(directed + 2), Source::Random(0));
        let case = |index| plan.case(index, &strategies).map(|tree| tree.current());
        let late = case(directed + 4);
        assert_eq!(case(directed + 4), late);
        assert_eq!(
            case(directed + 2),
            first_sequences(&config, 1).into_iter().next()
        );
        assert_ne!(case(directed + 2), case(directed + 3));
    }
}
