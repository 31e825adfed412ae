//! The one integration-test binary: one module per feature, each reading like a specification.
mod anywhere;
mod ci_examples;
mod docs;
mod fuzz;
mod fuzz_cli;
mod fuzz_discovery;
mod fuzz_faults;
mod fuzz_race;
mod interop;
mod load;
mod load_integrity;
mod okta;
mod okta_files;
mod readme;
mod runscope;
mod server;
