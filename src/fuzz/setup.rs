//! A behaviour profile compiled into what the pieces of a run need: the generator's configuration,
//! the model's rules, the checks' tolerances, the grading of check ids, and the cleanup mode;
//! then adjusted by what discovery found ([`RunSetup::adopt`]).

use crate::check::{catalogue, CheckRules, Grading, Severity};
use crate::driver::{CleanupMode, Driver};
use crate::gen::GenConfig;
use crate::model::{load_profile, Behaviour, Level, ModelRules, ProfileError, StringBooleans};

use super::capabilities::ProbeContext;
use super::discovery::Discovery;
use super::exec::Executor;
use crate::scim::schema::{Attribute, AttributePolicy, Tracked};

/// Everything a run derives from its profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSetup {
    pub behaviour: Behaviour,
    pub gen: GenConfig,
    pub rules: ModelRules,
    pub check_rules: CheckRules,
    pub grading: Grading,
    /// `None` with `--no-cleanup`.
    pub cleanup: Option<CleanupMode>,
    /// The server answers `userName sw "…"` (from discovery; true until it says otherwise).
    pub sw_supported: bool,
    /// Attributes the server requires beyond RFC 7643 that creates must carry (schema URN,
    /// attribute), from discovery.
    pub required_extras: Vec<(String, Attribute)>,
}

/// Loads a profile (built-in name or path), validating check ids against the catalogue.
pub fn load_behaviour(name_or_path: &str) -> Result<Behaviour, ProfileError> {
    load_profile(name_or_path, &|id| catalogue::info(id).is_some())
}

impl RunSetup {
    /// Compiles `behaviour` for a run.
    pub fn new(behaviour: Behaviour, max_ops: usize, exclusive: bool, cleanup: bool) -> Self {
        let gen = GenConfig {
            max_ops: max_ops.max(1),
            groups: behaviour.groups,
            patch: behaviour.patch,
            delete: behaviour.delete,
            filter_operators: behaviour.filter_operators.clone(),
            unicode: true,
            etag: behaviour.etag != Some(false),
            bad_auth: true,
            string_booleans: behaviour.patch && behaviour.string_booleans != StringBooleans::Off,
            sw_supported: true,
            untracked: Vec::new(),
            attributes: AttributePolicy::default(),
        };
        let rules = ModelRules {
            folding: behaviour.unicode_folding,
            // Without cleanup earlier cases' resources stay, so listings are no longer predictable.
            // Deactivated (not deleted) users stay too when the profile has no user DELETE.
            exclusive: exclusive && cleanup && behaviour.delete,
            max_page_size: behaviour.max_page_size,
            string_booleans: behaviour.string_booleans,
            remove_absent: behaviour.remove_absent,
            ..ModelRules::default()
        };
        let check_rules = CheckRules {
            accept_plain_json: behaviour.accept_plain_json,
            latency_budget_ms: behaviour.latency_budget_ms,
            attributes: AttributePolicy::default(),
        };
        let mut grading = Grading::default();
        for (check, level) in &behaviour.checks {
            match level {
                Level::Allowed => {
                    grading.allowed.insert(check.clone());
                }
                Level::Error => {
                    grading.severities.insert(check.clone(), Severity::Error);
                }
                Level::Warning => {
                    grading.severities.insert(check.clone(), Severity::Warning);
                }
                Level::Note => {
                    grading.severities.insert(check.clone(), Severity::Note);
                }
            }
        }
        let mode = if behaviour.delete {
            CleanupMode::Delete
        } else {
            CleanupMode::DeactivateUsers
        };
        Self {
            behaviour,
            gen,
            rules,
            check_rules,
            grading,
            cleanup: cleanup.then_some(mode),
            sw_supported: true,
            required_extras: Vec::new(),
        }
    }

    /// Takes what discovery found: features the server says it lacks are not generated, the
    /// extension is sent only when advertised, required attributes are added to creates, and
    /// the `sw` verdict reaches the generator and the model.
    pub fn adopt(&mut self, discovery: &Discovery) {
        if discovery.patch == Some(false) {
            self.gen.patch = false;
            self.gen.string_booleans = false;
        }
        if discovery.filter == Some(false) {
            // Okta's lookups need `userName eq`; every other operator is left out.
            self.gen.filter_operators.retain(|op| op == "eq");
        }
        if discovery.etag == Some(false) {
            self.gen.etag = false;
        }
        self.rules.enterprise = discovery.enterprise;
        if !discovery.sw_supported {
            // Refused once and reported (filter.sw-unsupported): listings confine with `eq`.
            self.gen.filter_operators.retain(|op| op != "sw");
        }
        self.sw_supported = discovery.sw_supported;
        self.gen.sw_supported = discovery.sw_supported;
        self.rules.sw_supported = discovery.sw_supported;
        self.required_extras = discovery.extra_required.clone();
        self.gen.untracked = discovery
            .extra_required
            .iter()
            .map(|(_, attribute)| attribute.name.clone())
            .collect();
        self.adopt_schema(AttributePolicy::from_table(&discovery.table));
    }

    /// Takes the server's declared characteristics of the tracked attributes: readOnly ones are
    /// not sent, immutable ones not changed, and neither they nor ones returned only on request
    /// are judged or filtered on (RFC 7643 §7).
    fn adopt_schema(&mut self, policy: AttributePolicy) {
        self.rules.attributes = policy;
        self.check_rules.attributes = policy;
        self.gen.attributes = policy;
        self.gen
            .untracked
            .extend(policy.unjudged().into_iter().map(str::to_string));
        if !policy.changeable(Tracked::Active) {
            self.gen.string_booleans = false;
        }
    }
}

impl RunSetup {
    /// What the capability probes need from this setup: they clean up as the run does (by
    /// deactivation where the profile has no DELETE), even with `--no-cleanup`.
    pub fn probe_context<'a>(
        &'a self,
        driver: &'a Driver,
        runtime: &'a tokio::runtime::Runtime,
        run_prefix: &'a str,
    ) -> ProbeContext<'a> {
        ProbeContext {
            driver,
            runtime,
            run_prefix,
            required: &self.required_extras,
            sw_supported: self.sw_supported,
            groups: self.gen.groups,
            cleanup: if self.behaviour.delete {
                CleanupMode::Delete
            } else {
                CleanupMode::DeactivateUsers
            },
            grading: &self.grading,
        }
    }

    /// An executor that runs sequences against `driver` with this setup's rules, grading and
    /// cleanup.
    pub fn executor<'a>(
        &'a self,
        driver: &'a Driver,
        runtime: &'a tokio::runtime::Runtime,
    ) -> Executor<'a> {
        Executor {
            driver,
            runtime,
            rules: self.rules,
            check_rules: self.check_rules,
            grading: &self.grading,
            cleanup: self.cleanup,
            required_extras: &self.required_extras,
            stop: super::exec::StopWhen::NEVER,
        }
    }
}
