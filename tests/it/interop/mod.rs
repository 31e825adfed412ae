//! Interop with real third-party SCIM servers, installed and pinned by `.ci/`: `scim2-server` and
//! `django-scim2`. Each test starts its own server on 127.0.0.1, runs `scimfuzz` against it as a
//! user would (a process, with a fixed seed) and asserts exactly what it finds; every finding is
//! explained in the README's "Known deviations found in the wild".
mod django;
mod django_runs;
mod scim2_server;
mod support;
