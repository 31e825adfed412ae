//! Ctrl-C during `scimfuzz load`: the first SIGINT stops the load gracefully (goose's killswitch)
//! so a partial report, marked interrupted, is still written; a second one exits at once. The
//! handler itself is the driver's ([`Interrupt`]); this module adds goose's killswitch to it.

pub use crate::driver::Interrupt;

/// The reason given to goose's killswitch on the first Ctrl-C.
pub const KILLSWITCH_REASON: &str = "scimfuzz load: interrupted (Ctrl-C)";

fn trigger_killswitch() {
    goose::trigger_killswitch(KILLSWITCH_REASON);
}

/// Handles SIGINT for a load run (once per process, before the attack starts).
pub fn on_ctrl_c(exit_code: i32) -> Result<Interrupt, String> {
    Interrupt::on_ctrl_c(
        "scimfuzz load",
        "stopping the load and writing a partial report",
        exit_code,
        Some(trigger_killswitch),
    )
}

/// An interrupt for library use that also stops goose's attack when requested.
pub fn manual() -> Interrupt {
    Interrupt::with_hook(trigger_killswitch)
}
