//! Terminal safety: text a server controls (bodies, header values, messages built from them) is
//! shown with its control characters escaped (`\x1b`, `\r`, `\0`, BEL, C1 controls, bidi
//! overrides), so a server cannot clear the screen, move the cursor or overwrite a line. Every
//! text writer (fuzz, okta/runscope step tables, load's text report, error messages) passes its
//! output through [`escape_controls`]; JSON keeps the raw strings.

use std::fmt::Write;

/// `text` with every control character except newline and tab escaped.
pub fn escape_controls(text: &str) -> String {
    escape(text, false)
}

/// `text` on one line: newlines and tabs escaped too (a server's body cannot start a line).
pub fn one_line(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, newlines: bool) -> String {
    if !text.chars().any(|c| needs_escape(c, newlines)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs_escape(c, newlines) {
            out.push(c);
            continue;
        }
        let _ = match c {
            '\n' => write!(out, "\\n"),
            '\r' => write!(out, "\\r"),
            '\t' => write!(out, "\\t"),
            c if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32),
            c => write!(out, "\\u{{{:x}}}", c as u32),
        };
    }
    out
}

fn needs_escape(c: char, newlines: bool) -> bool {
    match c {
        '\n' | '\t' => newlines,
        // Bidi overrides and isolates can reorder what a line appears to say.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_carriage_returns_are_shown_not_obeyed() {
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\rc\0d\u{7}e"),
            "a\\x1b[2Jb\\rc\\x00d\\x07e"
        );
        assert_eq!(escape_controls("line\n\tnext"), "line\n\tnext");
        assert_eq!(escape_controls("\u{9b}\u{202e}x"), "\\x9b\\u{202e}x");
        assert_eq!(escape_controls("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn a_body_cannot_start_a_line_of_its_own() {
        assert_eq!(
            one_line("{}\nscimfuzz fuzz: no findings"),
            "{}\\nscimfuzz fuzz: no findings"
        );
    }
}
