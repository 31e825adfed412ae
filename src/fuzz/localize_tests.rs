//! The culprit rule of filter localization, over filter trees and probe verdicts.

use std::convert::Infallible;

use super::filter_probe::operator_controls;
use super::localize::{culprit, post_order, probe_nodes, sentence, subject_of, Verdict};
use crate::scim::filter::{parse, Filter};

use Verdict::{Inconclusive, Right, Wrong};

/// What a listing sends: the user's filter, then the namespace conjunct.
const SENT: &str = r#"(userName eq "77.ann@example.com" and active eq true) and userName sw "77.""#;

fn sent() -> Filter {
    parse(SENT).expect("a valid filter")
}

fn texts(filter: &Filter) -> Vec<String> {
    post_order(filter)
        .iter()
        .map(|node| node.filter.to_string())
        .collect()
}

#[test]
fn sub_filters_are_listed_operands_first_and_the_namespace_conjunct_is_a_leaf() {
    let listed = texts(&sent());
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0], r#"userName eq "77.ann@example.com""#);
    assert_eq!(listed[1], "active eq true");
    assert_eq!(listed[3], r#"userName sw "77.""#);
    assert_eq!(listed[4], sent().to_string(), "the whole filter last");
}

#[test]
fn a_value_path_is_one_leaf() {
    let filter = parse(r#"emails[type eq "work" and value co "@"] or active eq false"#).unwrap();
    let nodes = post_order(&filter);
    assert_eq!(nodes.len(), 3);
    assert_eq!(subject_of(nodes[0].filter), "co, eq");
}

#[test]
fn an_and_wrong_while_its_operands_are_right_alone_is_the_culprit() {
    let filter = sent();
    let nodes = post_order(&filter);
    let verdicts = [Right, Right, Wrong, Right, Wrong].map(Some);
    let found = culprit(&nodes, &verdicts).expect("a culprit");
    assert_eq!(found, 2, "the lowest wrong node, not the whole filter");
    assert_eq!(subject_of(nodes[found].filter), "and");
    assert_eq!(
        sentence(nodes[found].filter),
        "`and` is wrong, its operands are right alone"
    );
}

#[test]
fn a_comparison_wrong_alone_is_the_culprit_not_the_and_above_it() {
    let filter = sent();
    let nodes = post_order(&filter);
    let verdicts = [Some(Wrong), Some(Right), Some(Wrong), Some(Right), None];
    let found = culprit(&nodes, &verdicts).expect("a culprit");
    assert_eq!(subject_of(nodes[found].filter), "eq");
}

#[test]
fn an_operand_that_could_not_be_judged_leaves_the_node_above_it_unblamed() {
    let filter = sent();
    let nodes = post_order(&filter);
    let verdicts = [
        Some(Inconclusive),
        Some(Right),
        Some(Wrong),
        Some(Right),
        Some(Wrong),
    ];
    assert_eq!(
        culprit(&nodes, &verdicts),
        None,
        "no culprit: today's subject stays"
    );
}

#[test]
fn probing_stops_at_the_culprit_and_skips_nodes_above_an_unjudged_operand() {
    let filter = sent();
    let nodes = post_order(&filter);
    // A server that evaluates `and` as `or`: every `and` is wrong, every comparison right.
    let mut asked = Vec::new();
    let verdicts = probe_nodes(&nodes, 12, |probe| {
        asked.push(probe.to_string());
        Ok::<_, Infallible>(match probe {
            Filter::And(..) => Wrong,
            _ => Right,
        })
    })
    .unwrap();
    assert_eq!(
        asked.len(),
        3,
        "two comparisons, then their `and`: {asked:?}"
    );
    assert_eq!(culprit(&nodes, &verdicts), Some(2));

    let mut asked = 0;
    let verdicts = probe_nodes(&nodes, 12, |probe| {
        asked += 1;
        Ok::<_, Infallible>(match probe {
            Filter::Compare { .. } if probe.to_string().starts_with("active") => Inconclusive,
            Filter::And(..) => Wrong,
            _ => Right,
        })
    })
    .unwrap();
    assert_eq!(asked, 3, "the leaves only: no `and` can be blamed");
    assert_eq!(culprit(&nodes, &verdicts), None);
}

#[test]
fn probes_are_bounded() {
    let wide = (0..30)
        .map(|index| format!("displayName eq \"{index}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let filter = parse(&wide).unwrap();
    let nodes = post_order(&filter);
    let mut asked = 0;
    probe_nodes(&nodes, 12, |_| {
        asked += 1;
        Ok::<_, Infallible>(Right)
    })
    .unwrap();
    assert_eq!(asked, 12);
}

#[test]
fn a_culprit_on_another_attribute_is_compared_with_its_operators_on_user_name() {
    let leaf = parse(r#"emails[type eq "work" and value co "@example"]"#).unwrap();
    let mut controls = Vec::new();
    operator_controls(&leaf, "77.Ann.Lee@example.com", &mut controls);
    let texts: Vec<String> = controls.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            r#"userName eq "77.Ann.Lee@example.com""#,
            r#"userName co "7.Ann.Lee@example.co""#,
        ],
        "one per operator, each matching the user; `co` neither at the start nor the end, so a \
         `co` evaluated as `sw` or `ew` shows"
    );
}
