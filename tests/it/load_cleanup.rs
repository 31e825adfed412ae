//! `load`'s cleanup finds what the journal cannot know (issue 10 item 3): a group whose create
//! was stored but answered 500, and the users of a seeding that failed part-way, are found by
//! the run's names (`displayName sw` / `userName sw`, or paging when the server refuses `sw`)
//! and deleted; the summary says how many were found so. The server (`create-stored-500`: one
//! user create in every three and one group create in every three is stored, then answered 500) is a separate
//! in-process server the test reads afterwards: it must hold nothing.

use scimfuzz::server::{spawn_on_thread, Fault, RunningServer, ServerConfig};

use crate::bin;
use crate::interrupt::resources_on;
use crate::load::{fresh_dir, write_profile};

/// Runs `load` with a profile of `body` (after the header) against `server`; (exit, output).
fn load_against(server: &RunningServer, name: &str, body: &str) -> (i32, String) {
    let dir = fresh_dir(name);
    let profile = write_profile(&dir, name, &format!("{body}\n"));
    let ran = bin::run(&bin::load_args(server, &profile, &["--seed", "5"]));
    let _ = std::fs::remove_dir_all(&dir);
    ran
}

/// The `cleanup:` line of `output`.
pub(crate) fn cleanup_line(output: &str) -> &str {
    output
        .lines()
        .find(|line| line.starts_with("cleanup: deleted "))
        .unwrap_or_else(|| panic!("no cleanup line: {output}"))
}

#[test]
fn a_group_whose_create_answer_was_lost_is_found_by_its_name_and_deleted() {
    let server = spawn_on_thread(ServerConfig::with_faults([Fault::CreateStored500]))
        .expect("the server starts");
    // The shared group is group create 1, the pushes 2, 3 (stored, answered 500), 4.
    let (code, output) = load_against(
        &server,
        "lost-group",
        "[run]\nusers = 1\nduration = \"30s\"\n[[scenario]]\nname = \"push\"\n\
         kind = \"group-push\"\nmode = \"oin\"\npool_per_worker = 2\ntasks = 3",
    );
    assert_ne!(code, 3, "{output}");
    let line = cleanup_line(&output);
    assert!(line.contains(" found by the run's names"), "{line}");
    assert!(line.ends_with("nothing of the run left"), "{line}");
    assert!(
        !line.contains("paged through"),
        "the server takes `sw`: {line}"
    );
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");
}

#[test]
fn the_users_of_a_seeding_that_failed_part_way_are_deleted_even_where_sw_is_refused() {
    let server = spawn_on_thread(ServerConfig::with_faults([
        Fault::CreateStored500,
        Fault::SwRefused,
    ]))
    .expect("the server starts");
    // 30 seed creates: 20 answered 201, 10 stored but answered 500 (their retry: 409), so the
    // seeding fails (more than a tenth) and the run cannot start.
    let (code, output) = load_against(
        &server,
        "failed-seeding",
        "[run]\nusers = 1\nduration = \"5s\"\n[seed_data]\nusers = 30\n[[scenario]]\n\
         name = \"import\"\nkind = \"import\"",
    );
    assert_eq!(code, 3, "{output}");
    assert!(output.contains("could not seed the directory"), "{output}");
    let line = cleanup_line(&output);
    assert!(
        line.starts_with("cleanup: deleted 30 users and 0 groups in "),
        "{line}"
    );
    assert!(
        line.contains("; 10 found by the run's names (their create answers were lost)"),
        "{line}"
    );
    assert!(
        line.contains("refused the `sw` filter, so /Groups and /Users were paged through"),
        "{line}"
    );
    assert!(line.ends_with("nothing of the run left"), "{line}");
    assert_eq!(resources_on(&server), (0, 0), "the server is left as found");
}
