//! The `scimfuzz` command: everything happens in [`scimfuzz::cli`].

fn main() {
    std::process::exit(scimfuzz::cli::main());
}
