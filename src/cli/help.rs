//! What every command's `--help` ends with: two or three examples to copy, and the exit codes.
//! The examples are dry-parsed by a test, so a renamed flag cannot leave a stale example behind.

/// The exit codes, as every command's help lists them.
macro_rules! exit_codes {
    () => {
        "Exit codes: 0 clean · 1 findings (the target is wrong) · 2 usage or configuration error · \
         3 could not run (unreachable, TLS, credentials refused) · 4 load SLO breached · \
         130 interrupted (Ctrl-C)"
    };
}

/// `fuzz --help`'s ending.
pub const FUZZ: &str = concat!(
    "Examples:\n",
    "  scimfuzz fuzz                                  # the embedded reference server, random seed\n",
    "  scimfuzz fuzz --fault deactivated-404 --seed 3 --repro-dir out/\n",
    "  scimfuzz fuzz --target https://app.example.com/scim/v2 --auth \"Bearer $TOKEN\" --junit fuzz.xml\n\n",
    exit_codes!()
);

/// `replay --help`'s ending.
pub const REPLAY: &str = concat!(
    "Examples:\n",
    "  scimfuzz replay out/finding-1-lifecycle-deactivated-readable.json\n",
    "  scimfuzz replay trace.json --target https://app.example.com/scim/v2 --auth \"Bearer $TOKEN\"\n\n",
    exit_codes!()
);

/// `load --help`'s ending.
pub const LOAD: &str = concat!(
    "Examples:\n",
    "  scimfuzz load --list-profiles\n",
    "  scimfuzz load --profile smoke --report out/\n",
    "  scimfuzz load --profile okta-onboarding-burst --target https://app.example.com/scim/v2 --slo 'create.p99_ms<300'\n\n",
    exit_codes!()
);

/// `report --help`'s ending.
pub const REPORT: &str = concat!(
    "Examples:\n",
    "  scimfuzz report merge out/w0 out/w1 out/w2 --out out/all\n",
    "  scimfuzz report merge out/w0 out/w1 --out out/all --slo 'errors.rate<0.01'\n\n",
    exit_codes!()
);

/// `serve --help`'s ending.
pub const SERVE: &str = concat!(
    "Examples:\n",
    "  scimfuzz serve --port 8080 > serve.env &      # then: set -a; . ./serve.env; set +a\n",
    "  scimfuzz serve --fault case-sensitive-filter\n",
    "  scimfuzz serve --list-faults\n\n",
    exit_codes!()
);

/// `runscope --help`'s ending.
pub const RUNSCOPE: &str = concat!(
    "Examples:\n",
    "  scimfuzz runscope Okta-SCIM-20-SPEC-Test.json --initial-script Initial_Script_Spec.txt\n",
    "  scimfuzz runscope suite.json --var SCIMBaseURL=https://app.example.com/scim/v2 --var \"auth=Bearer $TOKEN\" --seed-user\n\n",
    exit_codes!()
);

/// `okta --help`'s ending.
pub const OKTA: &str = concat!(
    "Examples:\n",
    "  scimfuzz okta\n",
    "  scimfuzz okta --target https://app.example.com/scim/v2 --auth \"Bearer $TOKEN\" --mode oin --junit okta.xml\n",
    "  scimfuzz okta --suites crud,groups --fault reactivation-new-id\n\n",
    exit_codes!()
);

/// Every command's help ending, by command name (for the test that parses the examples).
pub const ALL: [(&str, &str); 7] = [
    ("fuzz", FUZZ),
    ("replay", REPLAY),
    ("load", LOAD),
    ("report", REPORT),
    ("serve", SERVE),
    ("runscope", RUNSCOPE),
    ("okta", OKTA),
];
