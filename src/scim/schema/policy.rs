//! What a server's schema says about the attributes the fuzzer's model tracks, reduced to the
//! four questions the model, the generator and the checks ask: is the attribute sent on a create,
//! may a later PUT or PATCH change it, is its value judged in responses, and is it compared
//! case-exactly? [`AttributePolicy::from_table`] answers them from the attribute table (RFC 7643,
//! overlaid with the server's `/Schemas`), so a server that declares `displayName` readOnly, or
//! `name` returned only on request, is not blamed for doing what it declared (RFC 7643 §7):
//!
//! - `mutability: readOnly`: not sent (RFC 7644 §3.3 says the server ignores it), not judged;
//! - `mutability: immutable`: sent on create, never changed afterwards (a change is 400
//!   `mutability`, RFC 7644 §3.5.2), judged;
//! - `returned: never` or `request` (or `mutability: writeOnly`): not judged in responses, since
//!   a default response leaves them out (RFC 7643 §7, RFC 7644 §3.9);
//! - `caseExact` as declared, except for `userName`: RFC 7643 §4.1.1 defines it case-insensitive
//!   and identity providers match it that way, so a server that declares otherwise is judged by
//!   the RFC.
//!
//! `userName` is always sent and judged: it is the one attribute every SCIM client needs.

use serde::{Deserialize, Serialize};

use super::table::{AttributeTable, Mutability, Returned};
use crate::scim::urn;

/// An attribute the model tracks, with where it lives in a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Tracked {
    UserName,
    GivenName,
    FamilyName,
    DisplayName,
    ExternalId,
    Emails,
    Active,
    EmployeeNumber,
    GroupDisplayName,
    Members,
}

impl Tracked {
    /// Every tracked attribute, in the order of [`AttributePolicy`]'s arrays.
    pub const ALL: [Tracked; 10] = [
        Tracked::UserName,
        Tracked::GivenName,
        Tracked::FamilyName,
        Tracked::DisplayName,
        Tracked::ExternalId,
        Tracked::Emails,
        Tracked::Active,
        Tracked::EmployeeNumber,
        Tracked::GroupDisplayName,
        Tracked::Members,
    ];

    /// (schema URN, attribute, sub-attribute) in the table.
    fn location(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Tracked::UserName => (urn::USER, "userName", None),
            Tracked::GivenName => (urn::USER, "name", Some("givenName")),
            Tracked::FamilyName => (urn::USER, "name", Some("familyName")),
            Tracked::DisplayName => (urn::USER, "displayName", None),
            Tracked::ExternalId => (urn::USER, "externalId", None),
            Tracked::Emails => (urn::USER, "emails", Some("value")),
            Tracked::Active => (urn::USER, "active", None),
            Tracked::EmployeeNumber => (urn::ENTERPRISE_USER, "employeeNumber", None),
            Tracked::GroupDisplayName => (urn::GROUP, "displayName", None),
            Tracked::Members => (urn::GROUP, "members", None),
        }
    }

    /// The attribute as a filter names it (`name.givenName`, `emails`).
    pub fn filter_name(self) -> &'static str {
        match self {
            Tracked::GivenName => "name.givenName",
            Tracked::FamilyName => "name.familyName",
            other => other.location().1,
        }
    }

    fn index(self) -> usize {
        Tracked::ALL
            .iter()
            .position(|tracked| *tracked == self)
            .unwrap_or_default()
    }
}

/// The characteristics that matter to the model, per tracked attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributePolicy {
    mutability: [Mutability; 10],
    returned: [Returned; 10],
    case_exact: [bool; 10],
}

impl Default for AttributePolicy {
    /// RFC 7643's own schema.
    fn default() -> Self {
        Self::from_table(&AttributeTable::rfc7643())
    }
}

impl AttributePolicy {
    /// The policy a table implies; an attribute the table lacks keeps RFC 7643's characteristics
    /// (a server that leaves an attribute out of `/Schemas` has not declared anything about it).
    pub fn from_table(table: &AttributeTable) -> Self {
        let rfc = AttributeTable::rfc7643();
        let mut policy = Self {
            mutability: [Mutability::ReadWrite; 10],
            returned: [Returned::Default; 10],
            case_exact: [false; 10],
        };
        for tracked in Tracked::ALL {
            let (schema, name, sub) = tracked.location();
            let lookup = |table: &AttributeTable| {
                let attribute = table.attribute(schema, name)?.clone();
                match sub {
                    // The parent's mutability and returned govern its sub-attributes too.
                    Some(sub) => attribute.sub(sub).map(|child| {
                        let mut child = child.clone();
                        child.mutability = strictest(attribute.mutability, child.mutability);
                        child.returned = narrowest(attribute.returned, child.returned);
                        child
                    }),
                    None => Some(attribute),
                }
            };
            let Some(attribute) = lookup(table).or_else(|| lookup(&rfc)) else {
                continue;
            };
            let at = tracked.index();
            policy.mutability[at] = attribute.mutability;
            policy.returned[at] = attribute.returned;
            policy.case_exact[at] = attribute.case_exact;
        }
        let user_name = Tracked::UserName.index();
        policy.mutability[user_name] = Mutability::ReadWrite;
        policy.returned[user_name] = Returned::Default;
        policy.case_exact[user_name] = false;
        policy
    }

    /// Whether creates carry the attribute (not when the server declares it readOnly).
    pub fn sent(&self, tracked: Tracked) -> bool {
        self.mutability[tracked.index()] != Mutability::ReadOnly
    }

    /// Whether a PUT or PATCH may change it after the create.
    pub fn changeable(&self, tracked: Tracked) -> bool {
        matches!(
            self.mutability[tracked.index()],
            Mutability::ReadWrite | Mutability::WriteOnly
        )
    }

    /// Whether its value in a response is compared with the model's.
    pub fn judged(&self, tracked: Tracked) -> bool {
        self.sent(tracked)
            && self.mutability[tracked.index()] != Mutability::WriteOnly
            && matches!(
                self.returned[tracked.index()],
                Returned::Always | Returned::Default
            )
    }

    /// Whether its string values compare case-exactly.
    pub fn case_exact(&self, tracked: Tracked) -> bool {
        self.case_exact[tracked.index()]
    }

    /// The tracked attributes whose values are not judged, as filters name them.
    pub fn unjudged(&self) -> Vec<&'static str> {
        Tracked::ALL
            .into_iter()
            .filter(|tracked| !self.judged(*tracked))
            .map(Tracked::filter_name)
            .collect()
    }

    /// A one-line account of what differs from RFC 7643's schema, for the run's header;
    /// `None` when nothing does.
    pub fn describe_differences(&self) -> Option<String> {
        let rfc = Self::default();
        let changes: Vec<String> = Tracked::ALL
            .into_iter()
            .filter_map(|tracked| {
                let at = tracked.index();
                let mut words = Vec::new();
                if self.mutability[at] != rfc.mutability[at] {
                    words.push(self.mutability[at].keyword().to_string());
                }
                if self.returned[at] != rfc.returned[at] {
                    words.push(format!("returned {}", self.returned[at].keyword()));
                }
                if self.case_exact[at] != rfc.case_exact[at] {
                    words.push(format!("caseExact {}", self.case_exact[at]));
                }
                (!words.is_empty()).then(|| format!("{} {}", tracked.label(), words.join(", ")))
            })
            .collect();
        (!changes.is_empty()).then(|| changes.join("; "))
    }
}

impl Tracked {
    /// The attribute with its resource type where the name is ambiguous.
    fn label(self) -> &'static str {
        match self {
            Tracked::GroupDisplayName => "Group displayName",
            Tracked::Members => "Group members",
            other => other.filter_name(),
        }
    }
}

/// The stricter of two mutabilities (a readOnly parent makes its sub-attributes readOnly).
fn strictest(parent: Mutability, child: Mutability) -> Mutability {
    higher_ranked(parent, child, |m| match m {
        Mutability::ReadWrite => 0,
        Mutability::WriteOnly => 1,
        Mutability::Immutable => 2,
        Mutability::ReadOnly => 3,
    })
}

/// The narrower of two `returned` (a parent returned only on request takes its sub-attributes
/// with it).
fn narrowest(parent: Returned, child: Returned) -> Returned {
    higher_ranked(parent, child, |r| match r {
        Returned::Always => 0,
        Returned::Default => 1,
        Returned::Request => 2,
        Returned::Never => 3,
    })
}

/// Of a parent's and its sub-attribute's characteristic, the one `rank` puts higher; the
/// sub-attribute's when they rank the same.
fn higher_ranked<T>(parent: T, child: T, rank: impl Fn(&T) -> u8) -> T {
    std::cmp::max_by_key(parent, child, rank)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn overlaid(attributes: serde_json::Value) -> AttributePolicy {
        let mut table = AttributeTable::rfc7643();
        table.overlay(&json!([{"id": urn::USER, "attributes": attributes}]));
        AttributePolicy::from_table(&table)
    }

    #[test]
    fn rfc_7643_sends_changes_and_judges_every_tracked_attribute() {
        let policy = AttributePolicy::default();
        for tracked in Tracked::ALL {
            assert!(policy.sent(tracked), "{tracked:?}");
            assert!(policy.changeable(tracked), "{tracked:?}");
            assert!(policy.judged(tracked), "{tracked:?}");
        }
        assert!(policy.case_exact(Tracked::ExternalId));
        assert!(!policy.case_exact(Tracked::DisplayName));
        assert!(policy.unjudged().is_empty());
        assert_eq!(policy.describe_differences(), None);
    }

    #[test]
    fn a_read_only_display_name_is_neither_sent_nor_judged() {
        let policy = overlaid(json!([{"name": "displayName", "type": "string",
            "mutability": "readOnly"}]));
        assert!(!policy.sent(Tracked::DisplayName));
        assert!(!policy.judged(Tracked::DisplayName));
        assert!(policy.judged(Tracked::GivenName));
        assert_eq!(policy.unjudged(), ["displayName"]);
        assert_eq!(
            policy.describe_differences().as_deref(),
            Some("displayName readOnly")
        );
    }

    #[test]
    fn an_immutable_attribute_is_sent_and_judged_but_never_changed() {
        let policy = overlaid(json!([{"name": "externalId", "type": "string",
            "mutability": "immutable", "caseExact": true}]));
        assert!(policy.sent(Tracked::ExternalId));
        assert!(policy.judged(Tracked::ExternalId));
        assert!(!policy.changeable(Tracked::ExternalId));
    }

    #[test]
    fn a_parent_returned_on_request_takes_its_sub_attributes_with_it() {
        let policy = overlaid(
            json!([{"name": "name", "type": "complex", "returned": "request",
            "subAttributes": [{"name": "givenName", "type": "string"}]}]),
        );
        assert!(!policy.judged(Tracked::GivenName));
        assert!(!policy.judged(Tracked::FamilyName));
        assert!(policy.sent(Tracked::GivenName));
        assert_eq!(policy.unjudged(), ["name.givenName", "name.familyName"]);
    }

    #[test]
    fn declared_case_exactness_is_taken_except_for_user_name() {
        let policy = overlaid(json!([
            {"name": "userName", "type": "string", "caseExact": true, "mutability": "readOnly"},
            {"name": "emails", "type": "complex", "multiValued": true,
             "subAttributes": [{"name": "value", "type": "string", "caseExact": true}]},
        ]));
        assert!(policy.case_exact(Tracked::Emails));
        assert!(!policy.case_exact(Tracked::UserName));
        assert!(policy.sent(Tracked::UserName) && policy.judged(Tracked::UserName));
    }

    #[test]
    fn an_attribute_the_server_leaves_out_keeps_the_rfc_characteristics() {
        let policy = overlaid(json!([{"name": "userName", "type": "string"}]));
        assert_eq!(policy, AttributePolicy::default());
    }
}
