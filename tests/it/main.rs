//! The one integration-test binary: one module per feature, each reading like a specification.
mod load;
mod load_integrity;
mod okta;
mod runscope;
mod server;
