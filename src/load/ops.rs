//! The operation kinds a load run measures separately (one histogram each), and the groups an SLO
//! can name (`write`, `read`, `all`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One kind of SCIM request Okta sends, measured in its own histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpKind {
    /// `GET /Users?filter=userName eq "…"&startIndex=1&count=100` before a create.
    Lookup,
    /// `POST /Users` with Okta's create body.
    Create,
    /// `GET /Users/{id}`.
    Get,
    /// `PUT /Users/{id}` with the whole user (profile sync, AIW deactivation).
    Put,
    /// `PATCH /Users/{id}` path-less `active` replace (OIN deactivation and reactivation).
    Patch,
    /// One page of an import walk, `GET /Users?startIndex=k&count=100`.
    ListPage,
    /// `POST /Groups`.
    GroupCreate,
    /// `GET /Groups/{id}`.
    GroupGet,
    /// `PATCH /Groups/{id}`: membership delta, rename, or replace-all.
    GroupPatch,
    /// `PUT /Groups/{id}` (AIW group push).
    GroupPut,
}

impl OpKind {
    /// Every kind, in report order.
    pub const ALL: [OpKind; 10] = [
        OpKind::Lookup,
        OpKind::Create,
        OpKind::Get,
        OpKind::Put,
        OpKind::Patch,
        OpKind::ListPage,
        OpKind::GroupCreate,
        OpKind::GroupGet,
        OpKind::GroupPatch,
        OpKind::GroupPut,
    ];

    /// The name used in reports, SLO expressions and `.hlog` file names.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Lookup => "lookup",
            OpKind::Create => "create",
            OpKind::Get => "get",
            OpKind::Put => "put",
            OpKind::Patch => "patch",
            OpKind::ListPage => "list-page",
            OpKind::GroupCreate => "group-create",
            OpKind::GroupGet => "group-get",
            OpKind::GroupPatch => "group-patch",
            OpKind::GroupPut => "group-put",
        }
    }

    /// The position of this kind in [`OpKind::ALL`], for array-indexed per-kind storage.
    pub fn index(self) -> usize {
        OpKind::ALL
            .iter()
            .position(|kind| *kind == self)
            .unwrap_or(0)
    }

    /// Whether the request changes server state (POST, PUT, PATCH, DELETE).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            OpKind::Create
                | OpKind::Put
                | OpKind::Patch
                | OpKind::GroupCreate
                | OpKind::GroupPatch
                | OpKind::GroupPut
        )
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for OpKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        OpKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = OpKind::ALL.iter().map(|kind| kind.name()).collect();
                format!("unknown operation `{text}` (known: {})", names.join(", "))
            })
    }
}

/// What an SLO's left-hand side selects: one operation kind or a group of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpSelector {
    One(OpKind),
    /// Every write (POST/PUT/PATCH/DELETE).
    Write,
    /// Every read (GET).
    Read,
    /// Every request.
    All,
}

impl OpSelector {
    /// Whether a kind belongs to this selection.
    pub fn includes(self, kind: OpKind) -> bool {
        match self {
            OpSelector::One(one) => one == kind,
            OpSelector::Write => kind.is_write(),
            OpSelector::Read => !kind.is_write(),
            OpSelector::All => true,
        }
    }
}

impl fmt::Display for OpSelector {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpSelector::One(kind) => write!(formatter, "{kind}"),
            OpSelector::Write => formatter.write_str("write"),
            OpSelector::Read => formatter.write_str("read"),
            OpSelector::All => formatter.write_str("all"),
        }
    }
}

impl FromStr for OpSelector {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "write" => Ok(OpSelector::Write),
            "read" => Ok(OpSelector::Read),
            "all" | "total" => Ok(OpSelector::All),
            other => other.parse().map(OpSelector::One),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in OpKind::ALL {
            assert_eq!(kind.name().parse::<OpKind>(), Ok(kind));
            assert_eq!(OpKind::ALL[kind.index()], kind);
        }
    }

    #[test]
    fn write_selects_posts_puts_and_patches_but_not_reads() {
        assert!(OpSelector::Write.includes(OpKind::Create));
        assert!(OpSelector::Write.includes(OpKind::GroupPatch));
        assert!(!OpSelector::Write.includes(OpKind::Lookup));
        assert!(OpSelector::Read.includes(OpKind::ListPage));
    }

    #[test]
    fn an_unknown_operation_names_the_known_ones() {
        let err = "delete-everything".parse::<OpKind>().unwrap_err();
        assert!(err.contains("list-page"), "{err}");
    }
}
