//! The shell parts of a repro script that judge: the helpers that send and keep each response, and
//! the verdict that checks the [`Witness`]es (status, headers, JSON fields with `jq`, else
//! `python3`) and exits 1 when the defect reproduces, 0 when it does not, 2 when it cannot judge.

use std::fmt::Write;

use serde_json::Value;

use super::witness::{FieldTest, PathStep, Witness, WitnessKind};

/// The helpers every script defines after its variables.
pub const HELPERS: &str = r#"W=$(mktemp -d "${TMPDIR:-/tmp}/scimfuzz-repro.XXXXXX") || exit 2
created=""
trap 'cleanup; rm -rf "$W"' EXIT
trap 'exit 2' INT TERM
# send NAME CURL-ARGS...: keeps the body, headers, status and time of the response in $W/NAME.*
send() {
  name=$1; shift
  curl -sS -o "$W/$name.body" -D "$W/$name.head" -w '%{http_code} %{time_total}' "$@" > "$W/$name.meta" 2> "$W/$name.err"
}
status_of() { code=000; read -r code _ < "$W/$1.meta" 2>/dev/null; echo "${code:-000}"; }
# show NAME: prints a response; without one the script cannot judge (exit 2)
show() {
  code=$(status_of "$1")
  if [ "$code" = 000 ]; then
    echo "no response from $SCIM_BASE_URL: $(cat "$W/$1.err" 2>/dev/null); cannot judge" >&2
    exit 2
  fi
  cat "$W/$1.body"; echo
  echo "<- HTTP $code"
}
id_of() { grep -o '"id" *: *"[^"]*"' "$W/$1.body" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'; }
# Each test succeeds (0) while the response is still wrong, fails (1) once it is right.
status_not_in() { case " $2 " in *" $(status_of "$1") "*) return 1;; esac; return 0; }
race_statuses_not() {
  got=$(i=0; while [ "$i" -lt "$2" ]; do status_of "$1c$i"; i=$((i + 1)); done | sort | tr '\n' ' ')
  [ "$got" != "$3 " ]
}
# any_branch OP N STATUS TEST ARGS...: the test holds for a concurrent request answered STATUS
any_branch() {
  op=$1; n=$2; want=$3; test=$4; shift 4; i=0
  while [ "$i" -lt "$n" ]; do
    if [ "$(status_of "${op}c$i")" = "$want" ] && "$test" "${op}c$i" "$@"; then return 0; fi
    i=$((i + 1))
  done
  return 1
}
# id_changed NAME ID: the response carries an id, and not ID
id_changed() { got=$(id_of "$1"); [ -n "$got" ] && [ "$got" != "$2" ]; }
same_status() { [ "$(status_of "$1")" = "$2" ]; }
media_type_not_in() {
  mt=$(grep -i '^content-type:' "$W/$1.head" | tail -n 1 | cut -d: -f2- | cut -d';' -f1 | tr -d ' \r' | tr 'A-Z' 'a-z')
  case " $2 " in *" $mt "*) return 1;; esac; return 0
}
header_missing() { ! grep -qi "^$2:" "$W/$1.head"; }
slower_than() { secs=0; read -r _ secs < "$W/$1.meta"; awk -v s="$secs" -v b="$2" 'BEGIN { exit !(s > b) }'; }
not_json() {
  [ -s "$W/$1.body" ] || return 0
  if command -v jq >/dev/null 2>&1; then ! jq empty "$W/$1.body" >/dev/null 2>&1; return; fi
  if command -v python3 >/dev/null 2>&1; then
    ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$W/$1.body" 2>/dev/null; return
  fi
  return 2
}
# json_differs NAME JQ-TEST PATH KIND VALUE: 0 while the field differs from a correct answer
json_differs() {
  if command -v jq >/dev/null 2>&1; then
    jq -e "try ($2) catch true" "$W/$1.body" >/dev/null 2>&1
    case $? in 1) return 1;; *) return 0;; esac
  fi
  command -v python3 >/dev/null 2>&1 || return 2
  python3 -c '
import json, sys
names = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}
try:
    value = json.load(open(sys.argv[1]))
    for step in json.loads(sys.argv[2]):
        if value is None:
            break
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int):
            value = value[step] if step < len(value) else None
        else:
            sys.exit(0)
except Exception:
    sys.exit(0)
kind, want = sys.argv[3], json.loads(sys.argv[4])
if kind == "type":
    same = names[type(value)] == want
elif kind == "length":
    same = (len(value) if isinstance(value, (list, dict, str)) else 0) == want
else:
    same = names[type(value)] == names[type(want)] and value == want
sys.exit(1 if same else 0)
' "$W/$1.body" "$3" "$4" "$5"
}
held=0; checked=0; unjudged=0
# witness WHAT TEST...: counts a test of what a correct server answers
witness() {
  what=$1; shift; checked=$((checked + 1))
  "$@"; result=$?
  case $result in
    0) held=$((held + 1)); echo "  still wrong: a correct server answers $what";;
    1) echo "  right now:   $what";;
    *) unjudged=$((unjudged + 1)); echo "  cannot judge without jq or python3: $what";;
  esac
}
"#;

/// The name under which a step's exchange keeps its response.
pub fn call_name(op_index: usize, call_index: usize) -> String {
    format!("o{op_index}c{call_index}")
}

/// A jq path expression: `.["Resources"][0]["userName"]`.
fn jq_path(path: &[PathStep]) -> String {
    let mut text = String::from(".");
    for step in path {
        match step {
            PathStep::Key(key) => {
                let _ = write!(text, "[{}]", Value::String(key.clone()));
            }
            PathStep::Index(index) => {
                let _ = write!(text, "[{index}]");
            }
        }
    }
    text
}

/// The same path as a JSON array for the python fallback.
fn json_path(path: &[PathStep]) -> String {
    let steps: Vec<Value> = path
        .iter()
        .map(|step| match step {
            PathStep::Key(key) => Value::String(key.clone()),
            PathStep::Index(index) => Value::from(*index),
        })
        .collect();
    Value::Array(steps).to_string()
}

/// How the verdict turns recorded text into shell words.
pub struct Quoting<'a> {
    /// Any text: the recorded namespace tag becomes `$TAG`, nothing else is replaced.
    pub text: &'a dyn Fn(&str) -> String,
    /// A server-assigned id: the variable it was captured in, when it is a whole recorded id.
    pub id: &'a dyn Fn(&str) -> String,
}

/// The test command of one witness, as shell words (see [`Quoting`]).
fn test_words(witness: &Witness, quote: &Quoting) -> String {
    let name = call_name(witness.op_index, witness.call_index);
    kind_words(&witness.kind, witness.op_index, &name, quote)
}

/// The test command of a witness kind on exchange `name`.
fn kind_words(kind: &WitnessKind, op_index: usize, name: &str, quote: &Quoting) -> String {
    let text = quote.text;
    match kind {
        WitnessKind::InRaceBranch {
            status,
            branches,
            inner,
        } => {
            // The inner test without its exchange name: any_branch passes each branch's.
            let words = kind_words(inner, op_index, "@", quote).replacen(" @", "", 1);
            format!("any_branch o{op_index} {branches} {status} {words}")
        }
        WitnessKind::Status { acceptable, .. } => {
            let list: Vec<String> = acceptable.iter().map(u16::to_string).collect();
            format!("status_not_in {name} '{}'", list.join(" "))
        }
        WitnessKind::SameStatus { recorded } => format!("same_status {name} {recorded}"),
        WitnessKind::IdChanged { requested, .. } => {
            format!("id_changed {name} {}", (quote.id)(requested))
        }
        WitnessKind::RaceStatuses { correct, .. } => {
            let list: Vec<String> = correct.iter().map(u16::to_string).collect();
            format!(
                "race_statuses_not o{} {} '{}'",
                op_index,
                correct.len(),
                list.join(" ")
            )
        }
        WitnessKind::MediaType { acceptable, .. } => {
            format!("media_type_not_in {name} {}", text(&acceptable.join(" ")))
        }
        WitnessKind::HeaderMissing { name: header } => {
            format!("header_missing {name} {}", text(header))
        }
        WitnessKind::NotJson => format!("not_json {name}"),
        WitnessKind::Slower { budget_ms, .. } => {
            format!("slower_than {name} {}", *budget_ms as f64 / 1000.0)
        }
        WitnessKind::Field { path, correct, .. } => {
            let target = jq_path(path);
            let (jq, kind, value) = match correct {
                FieldTest::Value(value) => (format!("{target} != {value}"), "value", value.clone()),
                FieldTest::Type(kind) => (
                    format!("({target} | type) != \"{kind}\""),
                    "type",
                    Value::from(*kind),
                ),
                FieldTest::Length(n) => (
                    format!("({target} | length) != {n}"),
                    "length",
                    Value::from(*n),
                ),
            };
            format!(
                "json_differs {name} {} {} {kind} {}",
                text(&jq),
                text(&json_path(path)),
                text(&value.to_string())
            )
        }
    }
}

/// The verdict section: every witness tested, then the exit status.
pub fn render_verdict(witnesses: &[Witness], headline: &str, quote: &Quoting) -> String {
    let mut out = String::from("\necho '== verdict'\n");
    for witness in witnesses {
        let what = format!(
            "at op {} exchange {}: {}",
            witness.op_index,
            witness.call_index,
            witness.kind.describe()
        );
        let _ = writeln!(
            out,
            "witness {} {}",
            (quote.text)(&what),
            test_words(witness, quote)
        );
    }
    let headline = (quote.text)(headline);
    let _ = writeln!(
        out,
        "if [ \"$unjudged\" -gt 0 ]; then echo \"cannot judge: install jq or python3\" >&2; exit 2; fi"
    );
    let _ = writeln!(
        out,
        "if [ \"$checked\" -gt 0 ] && [ \"$held\" -eq \"$checked\" ]; then echo \"reproduced: \"{headline}; exit 1; fi"
    );
    let _ = writeln!(
        out,
        "echo \"not reproduced ($((checked - held)) of $checked checks answer as a correct server does): \"{headline}"
    );
    out.push_str("exit 0\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jq_paths_quote_keys_and_index_arrays() {
        let path = vec![
            PathStep::Key("Resources".into()),
            PathStep::Index(0),
            PathStep::Key("a\"b".into()),
        ];
        assert_eq!(jq_path(&path), r#".["Resources"][0]["a\"b"]"#);
        assert_eq!(json_path(&path), r#"["Resources",0,"a\"b"]"#);
        assert_eq!(jq_path(&[]), ".");
    }

    #[test]
    fn a_field_witness_tests_with_jq_and_python_arguments() {
        let witness = Witness {
            op_index: 1,
            call_index: 0,
            kind: WitnessKind::Field {
                path: vec![PathStep::Key("totalResults".into())],
                correct: FieldTest::Value(Value::from(1)),
                recorded: Value::from(0),
            },
        };
        let quote = |text: &str| format!("'{text}'");
        // A recorded id "1" is not the expected totalResults 1.
        let id = |text: &str| {
            if text == "1" {
                "\"${ID0}\"".to_string()
            } else {
                format!("'{text}'")
            }
        };
        let quoting = Quoting {
            text: &quote,
            id: &id,
        };
        assert_eq!(
            test_words(&witness, &quoting),
            r#"json_differs o1c0 '.["totalResults"] != 1' '["totalResults"]' value '1'"#
        );
    }
}
