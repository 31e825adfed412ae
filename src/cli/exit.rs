//! The process exit codes, shared by every subcommand.

/// Nothing wrong was found.
pub const CLEAN: i32 = 0;
/// The target is wrong: findings, failed conformance steps, or lost data under load.
pub const FINDINGS: i32 = 1;
/// The invocation is wrong: bad flags, unreadable or invalid files.
pub const USAGE: i32 = 2;
/// The harness could not run: target unreachable, TLS, auth rejected before any check, internal error.
pub const COULD_NOT_RUN: i32 = 3;
/// A load SLO was breached.
pub const SLO_BREACHED: i32 = 4;
/// The run was interrupted (Ctrl-C): what it created was cleaned up and a partial report, marked
/// interrupted, was written. 128 + SIGINT, as shells report a process killed by Ctrl-C.
pub const INTERRUPTED: i32 = 130;
