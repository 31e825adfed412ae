//! Expected against actual as a line diff: both sides in one shape (`name = JSON` pretty-printed
//! without the commas between items, or `name [a, b]` one item a line), the lines they share kept, the rest marked `-` (expected
//! only) and `+` (actual only). The text report prints it under a finding and colours it on a
//! terminal ([`paint`]: red and green, plain with `NO_COLOR` or when stdout is not a terminal);
//! the HTML report marks the same lines. Values that are not structured (a status) get no diff.

use serde_json::Value;

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// In both.
    Same(String),
    /// Only in the expected value.
    Expected(String),
    /// Only in the actual value.
    Actual(String),
}

/// The header line the text report puts above a diff; [`paint`] colours the lines under it.
pub const DIFF_HEADER: &str = "  diff (- expected, + actual):";
/// The indent of a diff line in the text report, before its `-`, `+` or space.
const INDENT: &str = "    ";

/// The most lines a side may have for a diff (LCS is quadratic; bodies are bounded anyway).
const MAX_LINES: usize = 400;

/// The diff of `expected` and `actual`, when both are structured the same way and differ.
pub fn value_diff(expected: &str, actual: &str) -> Option<Vec<DiffLine>> {
    let (want, got) = (lines_of(expected)?, lines_of(actual)?);
    if want.first() != got.first() && !shares_a_name(expected, actual) {
        return None;
    }
    if want == got || want.len() > MAX_LINES || got.len() > MAX_LINES {
        return None;
    }
    Some(lcs_diff(&want, &got))
}

/// Both sides name the same attribute (`emails[].value = …`, `members […]`).
fn shares_a_name(expected: &str, actual: &str) -> bool {
    match (name_of(expected), name_of(actual)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn name_of(text: &str) -> Option<&str> {
    text.split_once(" = ")
        .map(|(name, _)| name)
        .or_else(|| text.split_once(" [").map(|(name, _)| name))
        .filter(|name| !name.is_empty() && !name.contains(' '))
}

/// `name = JSON` as pretty JSON lines (the first holds the name), or `name [a, b]` as one item a
/// line; none for anything else.
fn lines_of(text: &str) -> Option<Vec<String>> {
    if let Some((name, json)) = text.split_once(" = ") {
        let value: Value = serde_json::from_str(json).ok()?;
        if !(value.is_array() || value.is_object()) {
            return Some(vec![format!("{name} = {value}")]);
        }
        let pretty = serde_json::to_string_pretty(&value).ok()?;
        // Without the commas JSON puts between items, so an added last item is one line.
        let mut lines: Vec<String> = pretty
            .lines()
            .map(|line| line.strip_suffix(',').unwrap_or(line).to_string())
            .collect();
        lines[0] = format!("{name} = {}", lines[0]);
        return Some(lines);
    }
    let (name, rest) = text.split_once(" [")?;
    let items = rest.strip_suffix(']')?;
    let mut lines = vec![format!("{name} [")];
    lines.extend(
        items
            .split(", ")
            .filter(|item| !item.is_empty())
            .map(|item| format!("  {item}")),
    );
    lines.push("]".into());
    Some(lines)
}

/// The longest common subsequence of lines, as a diff.
fn lcs_diff(want: &[String], got: &[String]) -> Vec<DiffLine> {
    let (n, m) = (want.len(), got.len());
    let mut table = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if want[i] == got[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && want[i] == got[j] {
            out.push(DiffLine::Same(want[i].clone()));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || table[i + 1][j] >= table[i][j + 1]) {
            out.push(DiffLine::Expected(want[i].clone()));
            i += 1;
        } else {
            out.push(DiffLine::Actual(got[j].clone()));
            j += 1;
        }
    }
    out
}

/// The diff as the text report's lines, each escaped onto one line by `escape` (server text
/// cannot start a line of its own, so [`paint`] only ever colours these).
pub fn diff_text(lines: &[DiffLine], escape: impl Fn(&str) -> String) -> String {
    let mut out = format!("{DIFF_HEADER}\n");
    for line in lines {
        let (mark, text) = match line {
            DiffLine::Same(text) => (' ', text),
            DiffLine::Expected(text) => ('-', text),
            DiffLine::Actual(text) => ('+', text),
        };
        out.push_str(&format!("{INDENT}{mark} {}\n", escape(text)));
    }
    out
}

/// Whether the text report is coloured: stdout is a terminal and `NO_COLOR` is not set (to any
/// value).
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// `text` (already escaped) with the `-` lines of every diff block red and the `+` lines green.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_diff = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if bare == DIFF_HEADER {
            in_diff = true;
            out.push_str(line);
            continue;
        }
        in_diff &= bare.starts_with(INDENT);
        let colour = match bare.strip_prefix(INDENT) {
            Some(rest) if in_diff && rest.starts_with("- ") => Some("31"),
            Some(rest) if in_diff && rest.starts_with("+ ") => Some("32"),
            _ => None,
        };
        match colour {
            Some(code) => {
                out.push_str(&format!("\u{1b}[{code}m{bare}\u{1b}[0m"));
                out.push_str(&line[bare.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(lines: &[DiffLine]) -> String {
        diff_text(lines, str::to_string)
    }

    /// A duplicated email: the two lists share every line but the extra value.
    #[test]
    fn a_duplicated_value_is_the_one_added_line() {
        let diff = value_diff(
            r#"emails[].value = ["a@x"]"#,
            r#"emails[].value = ["a@x","a@x"]"#,
        )
        .expect("a diff");
        assert_eq!(
            shown(&diff),
            "  diff (- expected, + actual):\n      emails[].value = [\n        \"a@x\"\n    \
             +   \"a@x\"\n      ]\n"
        );
    }

    #[test]
    fn member_lists_diff_item_by_item() {
        let diff = value_diff(
            "members [user#1 (b2)]",
            "members [user#0 (a1), user#1 (b2)]",
        )
        .expect("a diff");
        assert_eq!(
            diff,
            vec![
                DiffLine::Same("members [".into()),
                DiffLine::Actual("  user#0 (a1)".into()),
                DiffLine::Same("  user#1 (b2)".into()),
                DiffLine::Same("]".into()),
            ]
        );
    }

    #[test]
    fn a_scalar_attribute_is_one_line_each_side() {
        let diff = value_diff("active = false", "active = true").expect("a diff");
        assert_eq!(
            diff,
            vec![
                DiffLine::Expected("active = false".into()),
                DiffLine::Actual("active = true".into()),
            ]
        );
    }

    /// A status or prose says it all in the headline: no diff.
    #[test]
    fn statuses_and_prose_get_no_diff() {
        assert_eq!(value_diff("HTTP 200", "HTTP 404 {\"detail\":\"x\"}"), None);
        assert_eq!(
            value_diff("a SCIM Error body", "`schemas` is missing"),
            None
        );
        assert_eq!(value_diff("displayName = \"a\"", "userName = \"a\""), None);
    }

    /// Colour only inside a diff block, only on its marked lines; the escaped server text in them
    /// stays escaped (an escape sequence it sent is shown as text, never obeyed).
    #[test]
    fn only_diff_lines_are_coloured_and_server_text_stays_escaped() {
        let lines = [
            DiffLine::Expected("x = \"a\"".into()),
            DiffLine::Actual("x = \"\u{1b}[2J\"".into()),
        ];
        let text = format!(
            "    - not a diff\n{}  exchange:\n    - neither\n",
            diff_text(&lines, crate::report::terminal::one_line)
        );
        let painted = paint(&text);
        assert_eq!(
            painted,
            "    - not a diff\n  diff (- expected, + actual):\n\u{1b}[31m    - x = \"a\"\u{1b}[0m\n\
             \u{1b}[32m    + x = \"\\x1b[2J\"\u{1b}[0m\n  exchange:\n    - neither\n"
        );
        assert_eq!(painted.matches('\u{1b}').count(), 4, "{painted:?}");
    }
}
