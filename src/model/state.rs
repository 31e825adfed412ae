//! The model's state: what the server must hold after the ops so far, keyed by handles, with every
//! attribute as the model knows it. Names are derived from the case's namespace tag, so the model
//! is pure and a replay in a fresh namespace predicts the same outcomes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::op::{GroupHandle, Spelling, UserHandle};
use super::profile::{RemoveAbsent, StringBooleans};
use super::text::{spell, UnicodeFolding};
use crate::scim::schema::AttributePolicy;

/// The base names of the user slots: near-miss pairs (decoys) and non-ASCII letters on purpose.
pub const USER_WORDS: [(&str, &str); 6] = [
    ("Ann", "Lee"),
    ("Ann", "Leeds"),
    ("Jörg", "Weiß"),
    ("Ayşe", "Kılıç"),
    ("Νίκος", "Παπάς"),
    ("Émile", "Zoë"),
];

/// The base display names of the group slots.
pub const GROUP_WORDS: [&str; 3] = ["Sales", "Sales EU", "Ops"];

/// The number of user slots a case can use.
pub const USER_SLOTS: u8 = USER_WORDS.len() as u8;
/// The number of group slots a case can use.
pub const GROUP_SLOTS: u8 = GROUP_WORDS.len() as u8;

/// The rules the model needs from the behaviour profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRules {
    /// How much Unicode case folding `caseExact=false` attributes demand.
    pub folding: UnicodeFolding,
    /// The target holds no other data: totals and full listings are predictable.
    pub exclusive: bool,
    /// The largest page the server is expected to return (`filter.maxResults`).
    pub max_page_size: u32,
    /// What may happen to `"True"`/`"False"` strings sent for booleans.
    #[serde(default)]
    pub string_booleans: StringBooleans,
    /// What may answer a remove of a value that is not there.
    #[serde(default)]
    pub remove_absent: RemoveAbsent,
    /// The server advertises the Enterprise User extension (`/ResourceTypes`): creates carry an
    /// `employeeNumber` and its round trip is judged. Without it the record has none.
    #[serde(default = "yes")]
    pub enterprise: bool,
    /// The server answers `userName sw "…"` filters (discovery's probe); false means the
    /// namespace is kept with exact `eq` lookups and id-tracked listings instead.
    #[serde(default = "yes")]
    pub sw_supported: bool,
    /// What the server's schema says of the tracked attributes (RFC 7643's by default): which
    /// are sent, changed, judged, and compared case-exactly.
    #[serde(default)]
    pub attributes: AttributePolicy,
}

fn yes() -> bool {
    true
}

impl Default for ModelRules {
    fn default() -> Self {
        Self {
            folding: UnicodeFolding::Ascii,
            exclusive: false,
            max_page_size: 100,
            string_booleans: StringBooleans::Off,
            remove_absent: RemoveAbsent::Either,
            enterprise: true,
            sw_supported: true,
            attributes: AttributePolicy::default(),
        }
    }
}

/// What the model knows about one user on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// `userName` exactly as sent (servers must preserve case).
    pub user_name: String,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    /// `caseExact=true` per RFC 7643 §3.1.
    pub external_id: Option<String>,
    /// Email values, primary (work) first.
    pub emails: Vec<String>,
    pub active: bool,
    /// The enterprise extension's `employeeNumber` (RFC 7643 §4.3), if the user has one.
    pub employee_number: Option<String>,
}

/// A user slot: never created, live on the server, or deleted (its old id must answer 404).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSlot {
    Live(UserRecord),
    Deleted,
}

/// What the model knows about one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub display_name: String,
    pub members: BTreeSet<UserHandle>,
}

/// A group slot: live or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupSlot {
    Live(GroupRecord),
    Deleted,
}

/// The whole model state of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The case's namespace tag (lowercase, digits only, so case variants keep it).
    pub tag: String,
    pub rules: ModelRules,
    pub users: BTreeMap<UserHandle, UserSlot>,
    pub groups: BTreeMap<GroupHandle, GroupSlot>,
}

impl State {
    /// The empty state of a case in namespace `tag`.
    pub fn new(tag: impl Into<String>, rules: ModelRules) -> Self {
        Self {
            tag: tag.into(),
            rules,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }

    /// The live record of a user, if any.
    pub fn live_user(&self, user: UserHandle) -> Option<&UserRecord> {
        match self.users.get(&user) {
            Some(UserSlot::Live(record)) => Some(record),
            _ => None,
        }
    }

    /// Whether the server has (or had) an id for this user: live or deleted.
    pub fn user_has_id(&self, user: UserHandle) -> bool {
        self.users.contains_key(&user)
    }

    /// The live record of a group, if any.
    pub fn live_group(&self, group: GroupHandle) -> Option<&GroupRecord> {
        match self.groups.get(&group) {
            Some(GroupSlot::Live(record)) => Some(record),
            _ => None,
        }
    }

    /// Every live user, in handle order.
    pub fn live_users(&self) -> impl Iterator<Item = (UserHandle, &UserRecord)> {
        self.users.iter().filter_map(|(handle, slot)| match slot {
            UserSlot::Live(record) => Some((*handle, record)),
            UserSlot::Deleted => None,
        })
    }

    /// The base userName of a slot in this namespace: `<tag>.<given>.<family>@example.com`
    /// (RFC 2606 domain; the Unicode of the names stays in userName, where the mission needs it).
    pub fn base_user_name(&self, user: UserHandle) -> String {
        let (given, family) = user_words(user);
        format!("{}.{given}.{family}@example.com", self.tag)
    }

    /// The slot's userName spelled as `spelling`.
    pub fn user_name(&self, user: UserHandle, spelling: Spelling) -> String {
        spell(&self.base_user_name(user), spelling)
    }

    /// The record a create of `user` spelled `spelling` must produce.
    pub fn new_user_record(&self, user: UserHandle, spelling: Spelling) -> UserRecord {
        let (given, family) = user_words(user);
        let user_name = self.user_name(user, spelling);
        UserRecord {
            given_name: given.to_string(),
            family_name: family.to_string(),
            display_name: format!("{given} {family} {}", self.tag),
            external_id: Some(format!("Ext{}U{}", self.tag, user.0)),
            emails: vec![
                work_email(&self.tag, user),
                format!("{}.{}@home.example.org", self.tag, user.0),
            ],
            user_name,
            active: true,
            employee_number: self
                .rules
                .enterprise
                .then(|| format!("E{}-{}", self.tag, user.0)),
        }
    }

    /// The base display name of a group slot: `<tag> <word>`.
    pub fn base_group_name(&self, group: GroupHandle) -> String {
        let word = GROUP_WORDS[usize::from(group.0) % GROUP_WORDS.len()];
        format!("{} {word}", self.tag)
    }

    /// The prefix every generated name of this namespace starts with (for `sw` restrictions).
    pub fn namespace_prefix(&self) -> String {
        format!("{}.", self.tag)
    }
}

/// The slot's work email: ASCII local part at an RFC 2606 domain, which every email validator
/// accepts (non-ASCII local parts are refused by ordinary validators, RFC 5321 §4.1.2).
pub fn work_email(tag: &str, user: UserHandle) -> String {
    format!("{tag}.u{}@example.com", user.0)
}

/// The work email of a user created by `create-unicode-email`: a non-ASCII local part (RFC 6531)
/// at an RFC 2606 domain.
pub fn unicode_email(tag: &str, user: UserHandle) -> String {
    format!("jörg.weiß.{tag}.u{}@example.com", user.0)
}

fn user_words(user: UserHandle) -> (&'static str, &'static str) {
    USER_WORDS[usize::from(user.0) % USER_WORDS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_namespace_tag_in_every_spelling() {
        let state = State::new("4821930007", ModelRules::default());
        for spelling in Spelling::ALL {
            let name = state.user_name(UserHandle(2), spelling);
            assert!(name.starts_with("4821930007."), "{name}");
        }
    }

    #[test]
    fn a_new_record_has_ascii_emails_at_rfc_2606_domains() {
        let state = State::new("11", ModelRules::default());
        let record = state.new_user_record(UserHandle(2), Spelling::Upper);
        assert_eq!(record.user_name, "11.JÖRG.WEISS@EXAMPLE.COM");
        assert_eq!(
            record.emails,
            ["11.u2@example.com", "11.2@home.example.org"]
        );
        assert!(record.emails.iter().all(|email| email.is_ascii()));
        assert!(record.active);
    }
}
