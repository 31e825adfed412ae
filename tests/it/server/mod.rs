//! The reference server (`scimfuzz::server`), proved rule by rule over HTTP on 127.0.0.1:0.

mod cli;
mod errors;
mod fault_sites;
mod faults;
mod groups;
mod latency;
mod list;
mod okta_spec;
mod partial;
mod patch;
mod support;
mod users;
