//! The one integration-test binary: one module per feature, each reading like a specification.
mod server;
mod runscope;
mod load;
mod okta;
