//! The README is executable: every fenced block marked ```` ```sh tested ```` is run through the
//! built binary (`scimfuzz` on `PATH`, and `cargo run --release --` stands for it), each block in a
//! fresh temporary directory (` ```sh tested in-checkout ` runs in the checkout instead) as one
//! bash script, so variables and background servers carry from line to line. A line commented
//! `# exit N, "text", "more text"` must exit with N and print every quoted text (stdout and stderr
//! together); other lines just run. Background jobs are stopped when the block ends.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one block may run before it is killed (the slowest takes a few seconds).
const BLOCK_DEADLINE: Duration = Duration::from_secs(180);

/// One command of a tested block with what it must do.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    pub command: String,
    pub exit: i32,
    pub fragments: Vec<String>,
}

/// One tested block: its lines (continuations joined) and where it runs.
#[derive(Debug, Clone)]
pub struct Block {
    pub first_line: usize,
    pub in_checkout: bool,
    pub lines: Vec<String>,
}

/// The blocks of `markdown` whose info string is `sh tested` (optionally `in-checkout`).
pub fn tested_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        if let Some(block) = current.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(current.take().expect("open block"));
            } else if let Some(last) = block.lines.last_mut().filter(|l| l.ends_with('\\')) {
                last.pop();
                last.push_str(line.trim_start());
            } else {
                block.lines.push(line.to_string());
            }
        } else if let Some(info) = line.trim_start().strip_prefix("```sh tested") {
            current = Some(Block {
                first_line: index + 1,
                in_checkout: info.trim() == "in-checkout",
                lines: Vec::new(),
            });
        }
    }
    blocks
}

/// The expectation a line states in its `# exit N, "…"` comment, if it states one.
pub fn expectation(line: &str) -> Option<Expectation> {
    let at = line.find("# exit ")?;
    let rest = &line[at + "# exit ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let fragments = rest[digits.len()..]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some(Expectation {
        command: line[..at].trim_end().to_string(),
        exit: digits.parse().ok()?,
        fragments,
    })
}

/// The bash script for a block: each checked command's output and exit code go to numbered files.
fn script(block: &Block) -> (String, Vec<Expectation>) {
    let mut text = String::from("trap 'kill $(jobs -p) 2>/dev/null' EXIT\n");
    let mut checks = Vec::new();
    for line in &block.lines {
        let line = line.replace("cargo run --release -- ", "scimfuzz ");
        match expectation(&line) {
            Some(expected) => {
                let n = checks.len();
                text.push_str(&format!(
                    "{{ {}\n}} > .readme-out-{n} 2>&1; echo $? > .readme-code-{n}\n",
                    expected.command
                ));
                checks.push(expected);
            }
            None => {
                text.push_str(&line);
                text.push('\n');
            }
        }
    }
    (text, checks)
}

/// Runs a block and returns every mismatch, described.
fn run_block(block: &Block, scratch: &Path) -> Vec<String> {
    let (text, checks) = script(block);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_scimfuzz"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("the binary's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let results = scratch.join(format!("block-{}", block.first_line));
    std::fs::create_dir_all(&results).expect("a scratch directory");
    let cwd = if block.in_checkout {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    } else {
        results.clone()
    };
    // Results go to the scratch directory even when the block runs in the checkout.
    let text = text.replace(".readme-", &format!("{}/.readme-", results.display()));
    let mut child = Command::new("bash")
        .args(["-c", &text])
        .current_dir(&cwd)
        .env("PATH", path)
        .env_remove("SCIM_BASE_URL")
        .env_remove("SCIM_AUTH")
        .env_remove("SCIMFUZZ_AUTH")
        .env_remove("JOB_COMPLETION_INDEX")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("bash runs");
    let started = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > BLOCK_DEADLINE {
            let _ = Command::new("kill")
                .args(["-9", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            return vec![format!(
                "README line {}: the block ran past {BLOCK_DEADLINE:?}",
                block.first_line
            )];
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut problems = Vec::new();
    for (n, expected) in checks.iter().enumerate() {
        let code =
            std::fs::read_to_string(results.join(format!(".readme-code-{n}"))).unwrap_or_default();
        let output =
            std::fs::read_to_string(results.join(format!(".readme-out-{n}"))).unwrap_or_default();
        if code.trim() != expected.exit.to_string() {
            problems.push(format!(
                "README block at line {}: `{}` exited {} (README says {}):\n{output}",
                block.first_line,
                expected.command,
                code.trim(),
                expected.exit
            ));
        }
        for fragment in &expected.fragments {
            if !output.contains(fragment.as_str()) {
                problems.push(format!(
                    "README block at line {}: `{}` did not print {fragment:?}:\n{output}",
                    block.first_line, expected.command
                ));
            }
        }
    }
    problems
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

#[test]
fn every_tested_readme_example_exits_and_prints_what_the_readme_says() {
    let blocks = tested_blocks(&readme());
    let checked: usize = blocks.iter().map(|b| script(b).1.len()).sum();
    assert!(checked >= 10, "only {checked} README commands are checked");
    let scratch = std::env::temp_dir().join(format!("scimfuzz-it-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = blocks
            .iter()
            .map(|block| scope.spawn(|| run_block(block, &scratch)))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("a block runner"))
            .collect()
    });
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn expectations_are_read_from_the_comment() {
    let line = r#"scimfuzz fuzz --seed 1   # exit 1, "no findings", "336 cases""#;
    assert_eq!(
        expectation(line),
        Some(Expectation {
            command: "scimfuzz fuzz --seed 1".into(),
            exit: 1,
            fragments: vec!["no findings".into(), "336 cases".into()],
        })
    );
    assert_eq!(expectation("scimfuzz serve > serve.env &"), None);
    let blocks =
        tested_blocks("```sh tested in-checkout\na \\\n  b # exit 0\n```\n```sh\nc\n```\n");
    assert_eq!(blocks.len(), 1);
    assert!(blocks[0].in_checkout);
    assert_eq!(blocks[0].lines, vec!["a b # exit 0"]);
}
