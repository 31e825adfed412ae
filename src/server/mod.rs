//! The embedded reference SCIM server (axum, in memory) and its named, injectable faults. An
//! independent implementation: it never imports the harness's model.
