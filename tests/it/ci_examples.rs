//! The CI recipes in `examples/ci/`, the Kubernetes example in `load-profiles/README.md` and the
//! examples every command's `--help` ends with hold `scimfuzz` command lines users copy as they
//! are: every one of them must parse with the real argument parser (a dry parse through clap,
//! nothing runs), so a renamed flag fails here first.

use std::path::Path;

use clap::Parser;
use scimfuzz::cli::Cli;

/// The subcommands a command line may start with after `scimfuzz`.
const SUBCOMMANDS: [&str; 7] = [
    "fuzz", "replay", "load", "report", "serve", "runscope", "okta",
];

/// Splits a shell command line into words: single and double quotes group (and are removed),
/// anything else splits at whitespace. Enough for the recipes' lines, which use no escapes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for character in line.chars() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(character);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Every `scimfuzz <subcommand> …` command in `text`, cut at `||`, `&&`, `;`, a pipe, a
/// redirection, `&` or a comment.
fn scimfuzz_commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("scimfuzz ") {
            let candidate = &rest[at..];
            let second = candidate.split_whitespace().nth(1).unwrap_or_default();
            if SUBCOMMANDS.contains(&second) {
                let end = ["||", "&&", ";", " | ", " > ", " &", " #"]
                    .iter()
                    .filter_map(|stop| candidate.find(stop))
                    .min()
                    .unwrap_or(candidate.len());
                commands.push(candidate[..end].trim().to_string());
            }
            rest = &rest[at + "scimfuzz ".len()..];
        }
    }
    commands
}

/// The command lines of a YAML list of words (`args: ["load", "--profile", …]`) in `text`.
fn yaml_args_commands(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("args: ["))
        .map(|list| {
            let words: Vec<String> = list
                .trim_end_matches(']')
                .split(',')
                .map(|word| word.trim().trim_matches('"').to_string())
                .filter(|word| !word.is_empty())
                .collect();
            format!("scimfuzz {}", words.join(" "))
        })
        .collect()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Parses `command` as the binary would, without running it.
fn parses(command: &str) -> Result<(), String> {
    Cli::try_parse_from(shell_words(command))
        .map(|_| ())
        .map_err(|err| format!("`{command}`: {err}"))
}

#[test]
fn every_scimfuzz_command_in_the_ci_recipes_parses() {
    for (path, at_least) in [
        ("examples/ci/github-actions.yml", 3),
        ("examples/ci/gitlab-ci.yml", 3),
    ] {
        let commands = scimfuzz_commands(&read(path));
        assert!(commands.len() >= at_least, "{path}: {commands:?}");
        for command in &commands {
            parses(command).unwrap_or_else(|err| panic!("{path}: {err}"));
        }
        let text = read(path);
        for required in ["fuzz", "okta", "--junit"] {
            assert!(text.contains(required), "{path} runs {required}");
        }
    }
}

#[test]
fn the_kubernetes_job_in_the_load_readme_parses_and_uses_the_dockerfile_image() {
    let text = read("load-profiles/README.md");
    let commands = yaml_args_commands(&text);
    assert_eq!(commands.len(), 1, "{commands:?}");
    parses(&commands[0]).unwrap_or_else(|err| panic!("{err}"));
    assert!(
        read("Dockerfile").contains("USER 10001"),
        "the image runs as non-root"
    );
}

#[test]
fn a_wrong_flag_is_caught_by_the_dry_parse() {
    assert!(parses("scimfuzz fuzz --seed 1 --junit j.xml").is_ok());
    assert!(parses("scimfuzz fuzz --junitt j.xml").is_err());
    assert_eq!(
        shell_words(r#"scimfuzz load --slo 'errors.rate<0.01' --auth "Bearer x""#),
        vec![
            "scimfuzz",
            "load",
            "--slo",
            "errors.rate<0.01",
            "--auth",
            "Bearer x"
        ]
    );
    assert_eq!(
        scimfuzz_commands("run: scimfuzz okta --junit o.xml || echo okta >> failed"),
        vec!["scimfuzz okta --junit o.xml"]
    );
}

#[test]
fn every_commands_help_ends_with_examples_that_parse_and_the_exit_codes() {
    for (name, ending) in scimfuzz::cli::help::ALL {
        let commands = scimfuzz_commands(ending);
        assert!(commands.len() >= 2, "{name}: {commands:?}");
        for command in &commands {
            assert!(
                command.starts_with(&format!("scimfuzz {name}")),
                "{command}"
            );
            parses(command).unwrap_or_else(|err| panic!("{name} --help: {err}"));
        }
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_scimfuzz"))
            .args([name, "--help"])
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(0), "{name} --help");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("Examples:"), "{name}: {help}");
        assert!(
            help.trim_end()
                .lines()
                .last()
                .is_some_and(|l| l.contains("130 interrupted")),
            "{name} --help ends with the exit codes: {help}"
        );
        if ["fuzz", "replay", "okta", "load"].contains(&name) {
            assert!(help.contains("Target and auth:"), "{name}: {help}");
        }
    }
}

/// The `--help` heading of each flag of `scimfuzz <name>`, in the order `--help` lists them.
fn headings(name: &str) -> Vec<(String, String)> {
    use clap::CommandFactory;
    let cli = Cli::command();
    let command = cli
        .find_subcommand(name)
        .unwrap_or_else(|| panic!("no subcommand {name}"));
    command
        .get_arguments()
        .filter_map(|arg| {
            let flag = arg.get_long()?;
            let heading = arg.get_help_heading().unwrap_or("Options");
            Some((flag.to_string(), heading.to_string()))
        })
        .collect()
}

#[test]
fn load_help_puts_each_flag_under_its_heading() {
    let expected: &[(&str, &[&str])] = &[
        (
            "Load",
            &[
                "profile",
                "users",
                "duration",
                "slo",
                "seed",
                "worker-index",
                "workers",
                "no-integrity",
                "keep-data",
            ],
        ),
        ("Output", &["list-profiles", "report", "no-progress"]),
    ];
    let actual = headings("load");
    for (heading, flags) in expected {
        for flag in *flags {
            let found = actual.iter().find(|(f, _)| f == flag);
            assert_eq!(
                found.map(|(_, h)| h.as_str()),
                Some(*heading),
                "load --{flag}: {actual:?}"
            );
        }
    }
}

/// Regression (issue 10 item 3 follow-up): the flattened target flags' `next_help_heading`
/// spilled onto every flag declared after them, so `load --users`, `okta --seed` and `replay
/// --model` were listed under "Target and auth". Only the target's own flags may sit there.
#[test]
fn only_the_target_flags_sit_under_target_and_auth() {
    use clap::Args;
    let own = scimfuzz::cli::target::TargetArgs::augment_args(clap::Command::new("target"));
    let target_flags: Vec<&str> = own.get_arguments().filter_map(|a| a.get_long()).collect();
    assert!(target_flags.contains(&"oauth-token-url") && target_flags.contains(&"timeout"));
    for name in ["fuzz", "replay", "okta", "load"] {
        let under: Vec<String> = headings(name)
            .into_iter()
            .filter(|(_, heading)| heading == "Target and auth")
            .map(|(flag, _)| flag)
            .collect();
        assert_eq!(under, target_flags, "{name} --help, under Target and auth");
    }
}
