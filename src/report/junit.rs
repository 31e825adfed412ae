//! JUnit XML, the format CI systems read: one `<testsuite>` per suite, one `<testcase>` per check
//! or step, with `<failure>` or `<skipped>` where it did not pass.

use std::fmt::Write as _;

/// One suite (an Okta suite, a fuzz run, a Runscope file).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JunitSuite {
    pub name: String,
    pub cases: Vec<JunitCase>,
}

/// One test case and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct JunitCase {
    pub name: String,
    pub classname: String,
    pub seconds: f64,
    pub outcome: JunitOutcome,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JunitOutcome {
    Passed,
    Failed { message: String, details: String },
    Skipped { reason: String },
}

/// Renders suites as one JUnit XML document.
pub fn render_junit(suites: &[JunitSuite]) -> String {
    let count = |suite: &JunitSuite, wanted: fn(&JunitOutcome) -> bool| {
        suite
            .cases
            .iter()
            .filter(|case| wanted(&case.outcome))
            .count()
    };
    let is_failure = |outcome: &JunitOutcome| matches!(outcome, JunitOutcome::Failed { .. });
    let is_skip = |outcome: &JunitOutcome| matches!(outcome, JunitOutcome::Skipped { .. });
    let tests: usize = suites.iter().map(|suite| suite.cases.len()).sum();
    let failures: usize = suites.iter().map(|suite| count(suite, is_failure)).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"scimfuzz\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    for suite in suites {
        let seconds: f64 = suite.cases.iter().map(|case| case.seconds).sum();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            escape(&suite.name),
            suite.cases.len(),
            count(suite, is_failure),
            count(suite, is_skip),
            seconds
        );
        for case in &suite.cases {
            render_case(&mut xml, case);
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    super::redact::redact(&xml)
}

fn render_case(xml: &mut String, case: &JunitCase) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        escape(&case.name),
        escape(&case.classname),
        case.seconds
    );
    match &case.outcome {
        JunitOutcome::Passed => xml.push_str("/>\n"),
        JunitOutcome::Failed { message, details } => {
            let _ = writeln!(
                xml,
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                escape(message),
                escape(details)
            );
        }
        JunitOutcome::Skipped { reason } => {
            let _ = writeln!(
                xml,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                escape(reason)
            );
        }
    }
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 cannot carry.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, outcome: JunitOutcome) -> JunitCase {
        JunitCase {
            name: name.into(),
            classname: "okta.spec".into(),
            seconds: 0.5,
            outcome,
        }
    }

    #[test]
    fn counts_failures_and_skips_per_suite_and_in_total() {
        let suite = JunitSuite {
            name: "SPEC".into(),
            cases: vec![
                case("step 1", JunitOutcome::Passed),
                case(
                    "step 2",
                    JunitOutcome::Failed {
                        message: "status 500".into(),
                        details: "GET /Users/1".into(),
                    },
                ),
                case(
                    "step 3",
                    JunitOutcome::Skipped {
                        reason: "needs an Okta org".into(),
                    },
                ),
            ],
        };
        let xml = render_junit(&[suite]);
        assert!(xml.contains("<testsuites name=\"scimfuzz\" tests=\"3\" failures=\"1\">"));
        assert!(xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\" time=\"1.500\""));
        assert!(xml.contains("<failure message=\"status 500\">GET /Users/1</failure>"));
        assert!(xml.contains("<skipped message=\"needs an Okta org\"/>"));
    }

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        let suite = JunitSuite {
            name: "a<b>&\"c\"".into(),
            cases: vec![case("x\u{1}y", JunitOutcome::Passed)],
        };
        let xml = render_junit(&[suite]);
        assert!(xml.contains("name=\"a&lt;b&gt;&amp;&quot;c&quot;\""));
        assert!(xml.contains("name=\"xy\""));
    }
}
