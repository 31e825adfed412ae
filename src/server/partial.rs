//! What real servers that implement only part of SCIM do, each behind its fault: a User attribute
//! required beyond RFC 7643, the enterprise extension unsupported (not advertised, silently
//! dropped), an email validator that refuses reserved `.test` domains and non-ASCII local parts
//! (and, as a defect, one that crashes on non-ASCII local parts),
//! `sw` filters refused, PATCH paths not implemented, and a displayName the server derives
//! (declared readOnly). Each of these faults is decided here,
//! once; the handlers and the discovery endpoints ask these functions, so what the server does
//! and what `/ResourceTypes` and `/Schemas` say agree.

use serde_json::{Map, Value};

use super::errors::ScimError;
use super::faults::{Fault, FaultSet};
use crate::scim::filter::{CompareOp, Filter};
use crate::scim::urn;

/// The User attribute the extra-required-attribute fault requires (optional in RFC 7643 §4.1).
pub const EXTRA_REQUIRED_ATTRIBUTE: &str = "title";

/// The User attribute required beyond RFC 7643's `userName`, if any: validation refuses a user
/// without it and `/Schemas` declares it `"required": true`.
pub fn extra_required(faults: &FaultSet) -> Option<&'static str> {
    faults
        .has(Fault::ExtraRequiredAttribute)
        .then_some(EXTRA_REQUIRED_ATTRIBUTE)
}

/// Whether the server supports the enterprise extension: advertises it in `/ResourceTypes` and
/// `/Schemas`, and stores it. Without support it ignores it, as RFC 7644 §3.3 allows.
pub fn enterprise_supported(faults: &FaultSet) -> bool {
    !faults.has(Fault::UnadvertisedExtensionDropped)
}

/// The User attribute the display-name-derived fault declares readOnly and derives.
pub const DERIVED_ATTRIBUTE: &str = "displayName";

/// Whether the server derives `displayName` from the name parts (and declares it readOnly).
pub fn derives_display_name(faults: &FaultSet) -> bool {
    faults.has(Fault::DisplayNameDerived)
}

/// `"<givenName> <familyName>"`, or nothing when the user has no name parts.
fn derived_display_name(body: &Map<String, Value>) -> Option<String> {
    let name = body.get("name")?;
    let part = |key: &str| name.get(key).and_then(Value::as_str).unwrap_or_default();
    let joined = format!("{} {}", part("givenName"), part("familyName"));
    let joined = joined.trim();
    (!joined.is_empty()).then(|| joined.to_string())
}

/// The partial-server rules for a user about to be stored (create, PUT, PATCH): drops an
/// unsupported extension, requires the extra attribute, runs the strict email validator.
pub fn user_rules(faults: &FaultSet, body: &mut Map<String, Value>) -> Result<(), ScimError> {
    if !enterprise_supported(faults) {
        body.retain(|key, _| !key.eq_ignore_ascii_case(urn::ENTERPRISE_USER));
    }
    if derives_display_name(faults) {
        body.retain(|key, _| !key.eq_ignore_ascii_case(DERIVED_ATTRIBUTE));
        if let Some(derived) = derived_display_name(body) {
            body.insert(DERIVED_ATTRIBUTE.into(), Value::String(derived));
        }
    }
    if let Some(name) = extra_required(faults) {
        let present = body
            .get(name)
            .and_then(Value::as_str)
            .is_some_and(|text| !text.trim().is_empty());
        if !present {
            return Err(ScimError::invalid_value(format!(
                "`{name}` is required by this server"
            )));
        }
    }
    if faults.has(Fault::UnicodeEmail500) && email_values(body).any(|email| !email.is_ascii()) {
        return Err(ScimError::internal(
            "'ascii' codec can't encode character in position 1",
        ));
    }
    if faults.has(Fault::TestDomainEmailsRefused) {
        for email in email_values(body) {
            if let Some(why) = refused_email(email) {
                return Err(ScimError::invalid_value(format!(
                    "`{email}` is not a valid email address: {why}"
                )));
            }
        }
    }
    Ok(())
}

fn email_values(body: &Map<String, Value>) -> impl Iterator<Item = &str> {
    body.get("emails")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|email| email.get("value").and_then(Value::as_str))
}

/// Why a strict validator refuses an address: a reserved `.test` domain (RFC 2606 §2) or a
/// non-ASCII local part (RFC 5321 §4.1.2; RFC 6531 extends it, most validators do not).
fn refused_email(address: &str) -> Option<&'static str> {
    let (local, domain) = address.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    if domain == "test" || domain.ends_with(".test") {
        Some("the domain is under the reserved `.test`")
    } else if !local.is_ascii() {
        Some("the local part is not ASCII")
    } else {
        None
    }
}

/// Refuses a filter that uses `sw` with 400 invalidFilter (RFC 7644 §3.4.2.2 lets a server
/// refuse an operator it does not support), under the sw-refused fault.
pub fn refuse_operators(faults: &FaultSet, filter: &Filter) -> Result<(), ScimError> {
    if faults.has(Fault::SwRefused) && uses_sw(filter) {
        return Err(ScimError::invalid_filter(
            "the `sw` operator is not supported: use `eq`",
        ));
    }
    Ok(())
}

fn uses_sw(filter: &Filter) -> bool {
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => uses_sw(left) || uses_sw(right),
        Filter::Not(inner) | Filter::ValuePath { filter: inner, .. } => uses_sw(inner),
        Filter::Compare { op, .. } => *op == CompareOp::Sw,
        Filter::Present(_) => false,
    }
}

/// Refuses a PATCH operation with a `path` with 501 under the patch-path-501 fault (path-less
/// operations still work, and `/ServiceProviderConfig` still says PATCH is supported).
pub fn refuse_patch_path(faults: &FaultSet, has_path: bool) -> Result<(), ScimError> {
    if has_path && faults.has(Fault::PatchPath501) {
        return Err(ScimError::not_implemented(
            "PATCH operations with a `path` are not implemented: send the attributes in `value` without a `path`",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_strict_validator_refuses_test_domains_and_non_ascii_local_parts_only() {
        assert!(refused_email("ann@example.test").is_some());
        assert!(refused_email("ann@Mail.EXAMPLE.TEST.").is_some());
        assert!(refused_email("Jörg.Weiß@example.com").is_some());
        assert!(refused_email("ann@example.com").is_none());
        assert!(refused_email("ann@testing.example.org").is_none());
        assert!(refused_email("no-at-sign").is_none());
    }

    #[test]
    fn the_rules_apply_only_with_their_faults() {
        let mut body = json!({ "userName": "a", "emails": [{ "value": "a@x.test" }], urn::ENTERPRISE_USER: {} })
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(user_rules(&FaultSet::new(&[]), &mut body.clone()), Ok(()));
        let strict = FaultSet::new(&[Fault::TestDomainEmailsRefused]);
        assert_eq!(
            user_rules(&strict, &mut body.clone()).map_err(|e| e.scim_type),
            Err(Some("invalidValue"))
        );
        let title = FaultSet::new(&[Fault::ExtraRequiredAttribute]);
        assert!(user_rules(&title, &mut body.clone()).is_err());
        let dropped = FaultSet::new(&[Fault::UnadvertisedExtensionDropped]);
        assert_eq!(user_rules(&dropped, &mut body), Ok(()));
        assert!(!body.contains_key(urn::ENTERPRISE_USER));
    }
}
