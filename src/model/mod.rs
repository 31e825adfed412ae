//! The reference state machine: state keyed by symbolic handles, apply(&State, &Op) -> (State,
//! Expected), and the behaviour compiled from the profiles in models/*.toml.
