//! The one integration-test binary: one module per feature, each reading like a specification.
mod load;
mod okta;
mod runscope;
mod server;
