//! What the load run sent and the server acknowledged, for the post-run integrity check: creates
//! sent, users answered 201, `active` changes, the final membership of each group a worker pushed,
//! and the member adds acknowledged on the run's shared groups.
//!
//! Memory stays flat however long the run: a worker buffers a few [`Entry`]s in its [`Ledger`],
//! hands them to the collector after each task, and the collector appends them to a
//! [`LedgerJournal`], a JSON-lines file (`ledger.jsonl` in the report directory, or a temporary
//! file). The integrity check reads the journal back in two streaming passes ([`LedgerReader`]):
//! first the small per-id state (active changes, shared-group adds), then users, userNames and
//! groups in chunks.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The journal's file name in the report directory.
pub const LEDGER_FILE: &str = "ledger.jsonl";

/// One fact the integrity check verifies later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "kebab-case")]
pub enum Entry {
    /// A create was sent for this userName (a racing pair counts once).
    Sent { user_name: String },
    /// The server answered 201 for `user_name` with `id` (created active).
    Created { id: String, user_name: String },
    /// An activation or deactivation: `Some` when acknowledged, `None` when it failed and the
    /// user's state is unknown (the check then skips it). The last entry per id wins.
    Active { id: String, active: Option<bool> },
    /// The final membership of a group one worker pushed: `None` when a change failed.
    Members {
        group: String,
        members: Option<BTreeSet<String>>,
    },
    /// A member add on a shared group that the server acknowledged.
    MemberAdded { group: String, member: String },
}

/// A worker's buffer of entries not yet handed to the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<Entry>,
}

impl Ledger {
    /// Notes a create sent for `user_name`.
    pub fn sent_create(&mut self, user_name: &str) {
        self.entries.push(Entry::Sent {
            user_name: user_name.to_string(),
        });
    }

    /// Notes a 201 for `user_name` with the server's `id`.
    pub fn created(&mut self, id: &str, user_name: &str) {
        self.entries.push(Entry::Created {
            id: id.to_string(),
            user_name: user_name.to_string(),
        });
    }

    /// Notes an activation or deactivation (`None`: it failed, the state is unknown).
    pub fn set_active(&mut self, id: &str, active: Option<bool>) {
        self.entries.push(Entry::Active {
            id: id.to_string(),
            active,
        });
    }

    /// Notes a pushed group's final membership (`None`: a change failed, it is unknown).
    pub fn set_members(&mut self, group_id: &str, members: Option<BTreeSet<String>>) {
        self.entries.push(Entry::Members {
            group: group_id.to_string(),
            members,
        });
    }

    /// Notes an acknowledged add of `member` to the shared group `group_id`.
    pub fn member_added(&mut self, group_id: &str, member: &str) {
        self.entries.push(Entry::MemberAdded {
            group: group_id.to_string(),
            member: member.to_string(),
        });
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Takes the buffered entries, oldest first.
    pub fn drain(&mut self) -> Vec<Entry> {
        std::mem::take(&mut self.entries)
    }
}

/// The append-only file every worker's entries go to.
#[derive(Debug)]
pub struct LedgerJournal {
    path: PathBuf,
    writer: BufWriter<File>,
    /// Whether the file goes away after the check (no report directory).
    temporary: bool,
    /// The first write error; the check then refuses to trust the journal.
    failed: Option<String>,
}

impl LedgerJournal {
    /// Creates (truncates) the journal at `path`.
    pub fn create(path: &Path, temporary: bool) -> Result<Self, String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("could not create {}: {err}", parent.display()))?;
        }
        let file = File::create(path).map_err(|err| {
            format!(
                "could not create the integrity ledger {}: {err}",
                path.display()
            )
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: BufWriter::new(file),
            temporary,
            failed: None,
        })
    }

    /// Appends entries (one JSON object per line).
    pub fn append(&mut self, entries: &[Entry]) {
        if self.failed.is_some() {
            return;
        }
        for entry in entries {
            let written = serde_json::to_writer(&mut self.writer, entry)
                .map_err(|err| err.to_string())
                .and_then(|()| self.writer.write_all(b"\n").map_err(|err| err.to_string()));
            if let Err(err) = written {
                self.failed = Some(format!("could not write {}: {err}", self.path.display()));
                return;
            }
        }
    }

    /// Flushes the file and returns a reader over it.
    pub fn finish(mut self) -> Result<LedgerReader, String> {
        if let Err(err) = self.writer.flush() {
            self.failed
                .get_or_insert(format!("could not write {}: {err}", self.path.display()));
        }
        match self.failed {
            Some(err) => Err(err),
            None => Ok(LedgerReader {
                path: self.path,
                temporary: self.temporary,
            }),
        }
    }
}

/// The per-id state the integrity check needs before it streams the rest: small, because only
/// pool users change `active` and each shared group gets each pool user once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerIndex {
    /// The last `active` change per user id (`None`: unknown).
    pub active: HashMap<String, Option<bool>>,
    /// The acknowledged member adds per shared group.
    pub shared_adds: HashMap<String, BTreeSet<String>>,
}

/// A finished journal, read back by the integrity check.
#[derive(Debug)]
pub struct LedgerReader {
    path: PathBuf,
    temporary: bool,
}

impl LedgerReader {
    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the journal stays (in the report directory) after the check.
    pub fn is_kept(&self) -> bool {
        !self.temporary
    }

    /// Every entry, oldest first, read lazily.
    pub fn entries(&self) -> Result<impl Iterator<Item = Result<Entry, String>> + '_, String> {
        let file = File::open(&self.path)
            .map_err(|err| format!("could not read {}: {err}", self.path.display()))?;
        Ok(BufReader::new(file)
            .lines()
            .enumerate()
            .map(move |(index, line)| {
                let line = line.map_err(|err| format!("{}: {err}", self.path.display()))?;
                serde_json::from_str(&line)
                    .map_err(|err| format!("{}:{}: {err}", self.path.display(), index + 1))
            }))
    }

    /// The first pass: active changes and shared-group adds.
    pub fn index(&self) -> Result<LedgerIndex, String> {
        let mut index = LedgerIndex::default();
        for entry in self.entries()? {
            match entry? {
                Entry::Active { id, active } => {
                    index.active.insert(id, active);
                }
                Entry::MemberAdded { group, member } => {
                    index.shared_adds.entry(group).or_default().insert(member);
                }
                Entry::Sent { .. } | Entry::Created { .. } | Entry::Members { .. } => {}
            }
        }
        Ok(index)
    }
}

impl Drop for LedgerReader {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "scimfuzz-ledger-test-{}-{name}.jsonl",
            std::process::id()
        ))
    }

    #[test]
    fn entries_come_back_in_order_and_the_last_active_change_wins() {
        let path = scratch("order");
        let mut journal = LedgerJournal::create(&path, true).unwrap();
        let mut worker = Ledger::default();
        worker.sent_create("a@x");
        worker.created("u1", "a@x");
        worker.set_active("u1", Some(false));
        journal.append(&worker.drain());
        assert!(worker.is_empty());
        let mut later = Ledger::default();
        later.set_active("u1", None);
        later.member_added("g1", "u1");
        later.member_added("g1", "u2");
        later.set_members("g2", Some(BTreeSet::from(["u1".to_string()])));
        journal.append(&later.drain());
        let reader = journal.finish().unwrap();
        let entries: Vec<Entry> = reader.entries().unwrap().map(Result::unwrap).collect();
        assert_eq!(entries.len(), 7);
        assert_eq!(
            entries[1],
            Entry::Created {
                id: "u1".into(),
                user_name: "a@x".into()
            }
        );
        let index = reader.index().unwrap();
        assert_eq!(
            index.active.get("u1"),
            Some(&None),
            "a failed change makes it unknown"
        );
        assert_eq!(index.shared_adds["g1"].len(), 2);
        drop(reader);
        assert!(!path.exists(), "a temporary journal is removed after use");
    }

    #[test]
    fn a_journal_in_the_report_directory_is_kept_and_one_line_per_entry() {
        let path = scratch("kept");
        let mut journal = LedgerJournal::create(&path, false).unwrap();
        let mut worker = Ledger::default();
        worker.sent_create("b@x");
        worker.created("id\twith\"odd\nchars", "b@x");
        journal.append(&worker.drain());
        let reader = journal.finish().unwrap();
        assert!(reader.is_kept());
        let text = std::fs::read_to_string(reader.path()).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.starts_with(r#"{"entry":"sent","user_name":"b@x"}"#));
        let ids: Vec<Entry> = reader.entries().unwrap().map(Result::unwrap).collect();
        assert!(
            matches!(&ids[1], Entry::Created { id, .. } if id == "id\twith\"odd\nchars"),
            "server ids of any shape survive"
        );
        drop(reader);
        assert!(path.exists());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_corrupt_line_is_an_error_naming_the_line() {
        let path = scratch("corrupt");
        std::fs::write(
            &path,
            "{\"entry\":\"sent\",\"user_name\":\"a\"}\nnot json\n",
        )
        .unwrap();
        let reader = LedgerReader {
            path: path.clone(),
            temporary: true,
        };
        let err = reader.index().unwrap_err();
        assert!(err.contains(":2:"), "{err}");
    }
}
