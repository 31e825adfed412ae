//! cargo-fuzz target: `scimfuzz::fuzz_bodies::differential` (the same body runs on stable in the tests).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scimfuzz::fuzz_bodies::differential(data));
