//! The bodies of the cargo-fuzz targets under `fuzz/`: each takes the fuzzer's raw bytes and
//! panics only when a property breaks (a parser panicked, a printed tree parsed back different,
//! the model and the reference server disagreed). The same bodies run on stable in the tests over
//! random bytes, so CI checks what the fuzzer checks, only for less time.

mod differential;
mod parsers;
mod round_trip;

pub use differential::{differential, ops_from, Differential, MAX_OPS};
pub use parsers::{hlog, profiles, runscope_export, scim_shapes, trace};
pub use round_trip::{filter, patch_body, patch_path};
