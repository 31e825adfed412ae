//! Runs proptest's TestRunner over operation sequences against a target: shrinking, traces,
//! replay and repro scripts.
