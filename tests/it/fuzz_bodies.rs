//! The bodies of the cargo-fuzz targets (`fuzz/`) on stable, over random bytes: every parser of
//! untrusted input fails cleanly, and every arbitrary filter, PATCH path and PATCH body prints and
//! parses back equal (issue 10 item 8). Bounded: a few hundred inputs per body, about a second
//! each; the differential body has its own test module (`differential`).

use proptest::prelude::*;

use scimfuzz::fuzz_bodies;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Random bytes, and now and then the bytes of a known-good input cut and spliced.
fn bytes(seeds: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let spliced = (
        prop::sample::select(seeds),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(|(seed, at, noise)| {
            let mut bytes = seed.as_bytes().to_vec();
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, noise);
            bytes
        });
    prop_oneof![prop::collection::vec(any::<u8>(), 0..1024), spliced]
}

const FILTERS: &[&str] = &[
    r#"userName eq "bjensen" and not (emails[type eq "work" or value co "@"])"#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "J" or meta.lastModified gt "2011-05-13T04:42:34Z""#,
    "not pr and pr pr or title pr",
    "emails[type eq \"work\"].value",
];

const JSON: &[&str] = &[
    r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"2819c223"}]}]}"#,
    r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"1","userName":"a"}]}"#,
    r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter"}"#,
    r#"{"version":1,"ops":[{"op":"create-user","user":0,"spelling":"base"}]}"#,
    r#"{"name":"t","steps":[{"method":"GET","url":"{{SCIMBaseURL}}/Users","assertions":[]}]}"#,
];

const TOML: &[&str] = &[
    "version = 1\nextends = \"okta\"\n[capabilities]\ngroups = false\n",
    "version = 1\n[[stages]]\nusers = 2\nduration = \"1s\"\n[mix]\ncreate = 1\n",
    "#Timestamp: 1.0\n#[StartTime: 1.0]\n0.000,1.000,1.0,HISTFAAAACB4nJNpmSzMwMDAzAABzFCaEUKLT7YHAANZAG8=\n",
];

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn filters_parse_or_fail_and_arbitrary_trees_round_trip(data in bytes(FILTERS)) {
        fuzz_bodies::filter(&data);
    }

    #[test]
    fn patch_paths_parse_or_fail_and_arbitrary_paths_round_trip(data in bytes(FILTERS)) {
        fuzz_bodies::patch_path(&data);
    }

    #[test]
    fn patch_bodies_parse_or_fail_and_arbitrary_bodies_round_trip(data in bytes(JSON)) {
        fuzz_bodies::patch_body(&data);
    }

    #[test]
    fn scim_shapes_and_runscope_exports_never_panic(data in bytes(JSON)) {
        fuzz_bodies::scim_shapes(&data);
        fuzz_bodies::runscope_export(&data);
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn profiles_traces_and_hlogs_never_panic(data in prop_oneof![bytes(TOML), bytes(JSON)]) {
        fuzz_bodies::profiles(&data);
        fuzz_bodies::trace(&data);
        fuzz_bodies::hlog(&data);
    }
}
