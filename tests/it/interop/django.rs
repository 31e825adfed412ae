//! Interop with `django-scim2` 0.23.0 from PyPI, Django's most used SCIM library (pinned with
//! Django and every dependency by `.ci/install-django-scim2`, which `.ci/run` calls and whose venv
//! python it exports as `SCIMFUZZ_DJANGO_SCIM2`). Each test writes a minimal Django project
//! (`tests/data/django/`: settings, URLs, the two models django-scim2's mixins need, a static
//! bearer token) into its own temp dir, serves it on a free 127.0.0.1 port with a sqlite database
//! there, and talks to it as a client would. The deviations asserted here were each verified by
//! hand first and are explained, with their evidence, in the README's "Known deviations found in
//! the wild".

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use super::support::{installed, scratch_dir, Server, ServerSpec};

/// The environment variable `.ci/run` sets to the python of the venv that holds django-scim2.
const PYTHON_VAR: &str = "SCIMFUZZ_DJANGO_SCIM2";
/// How long the project may take to create its tables and answer (a cold Django start on a busy CI).
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// The project's files (path inside the project, contents), written out by each test.
const PROJECT: [(&str, &str); 6] = [
    ("serve.py", include_str!("../../data/django/serve.py")),
    ("settings.py", include_str!("../../data/django/settings.py")),
    ("urls.py", include_str!("../../data/django/urls.py")),
    (
        "scimapp/__init__.py",
        include_str!("../../data/django/scimapp/__init__.py"),
    ),
    (
        "scimapp/models.py",
        include_str!("../../data/django/scimapp/models.py"),
    ),
    (
        "scimapp/auth.py",
        include_str!("../../data/django/scimapp/auth.py"),
    ),
];

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The venv's python, from [`PYTHON_VAR`]; `None` (with a notice) when it is unset outside CI.
pub fn django_python() -> Option<PathBuf> {
    installed(PYTHON_VAR, None, ".ci/install-django-scim2")
}

/// Writes the project into `dir/project` and starts it (see [`Server::start`]); its sqlite
/// database lives in `dir`.
pub fn start_django(python: &Path, dir: &Path) -> Server {
    let project = dir.join("project");
    for (path, contents) in PROJECT {
        let file = project.join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("the project directory");
        std::fs::write(&file, contents).expect("a project file");
    }
    let serve = project.join("serve.py");
    let command = |port: u16, token: &str| {
        let mut command = Command::new(python);
        command
            .arg(&serve)
            .arg(port.to_string())
            .env("SCIMFUZZ_DJANGO_DIR", dir)
            .env("SCIMFUZZ_DJANGO_TOKEN", token)
            .env("PYTHONDONTWRITEBYTECODE", "1");
        command
    };
    let spec = ServerSpec {
        name: "django-scim2",
        base_path: "/scim/v2",
        startup_limit: STARTUP_LIMIT,
        command: &command,
    };
    Server::start(&spec, dir)
}

fn user(user_name: &str) -> Value {
    json!({"schemas": [USER_SCHEMA], "userName": user_name})
}

fn patch(operations: Value) -> Value {
    json!({"schemas": [PATCH_SCHEMA], "Operations": operations})
}

/// The status of a request, its body ignored.
fn status(server: &Server, method: &str, path: &str, body: Option<&Value>) -> u16 {
    server
        .request(method, path, body)
        .unwrap_or_else(|err| panic!("{method} {path}: no answer ({err})"))
        .0
}

#[test]
fn django_scim2_answers_only_its_token_and_starts_empty() {
    let Some(python) = django_python() else {
        return;
    };
    let dir = scratch_dir("django-auth");
    let server = start_django(&python, &dir);
    let users = server.json("GET", "/Users", None, 200);
    assert_eq!(users["totalResults"], 0, "{users}");
    let mut stranger = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    std::io::Write::write_all(
        &mut stranger,
        b"GET /scim/v2/Users HTTP/1.0\r\nAuthorization: Bearer wrong\r\n\r\n",
    )
    .expect("send");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stranger, &mut answer).expect("an answer");
    assert!(answer.starts_with("HTTP/1.0 401"), "{answer}");
    assert!(
        answer.contains("WWW-Authenticate: Bearer"),
        "a bearer challenge: {answer}"
    );
}

/// Each deviation of the README's django-scim2 list, as verified by hand (curl), replayed with
/// the same requests: if a release of django-scim2 fixes one, this test says which.
#[test]
fn django_scim2_deviations_verified_by_hand_still_hold() {
    let Some(python) = django_python() else {
        return;
    };
    let dir = scratch_dir("django-deviations");
    let server = start_django(&python, &dir);

    // 1. Discovery lists without totalResults (RFC 7644 §4, §3.4.2 make it REQUIRED).
    for endpoint in ["/ResourceTypes", "/Schemas"] {
        let list = server.json("GET", endpoint, None, 200);
        assert!(list["Resources"].is_array(), "{endpoint}: {list}");
        assert!(list.get("totalResults").is_none(), "{endpoint}: {list}");
    }
    // The enterprise extension is described in /Schemas but not offered by the User type.
    let types = server.json("GET", "/ResourceTypes", None, 200);
    let user_type = &types["Resources"][1];
    assert_eq!(user_type["id"], "User", "{types}");
    assert!(user_type.get("schemaExtensions").is_none(), "{types}");

    // 2. A case variant of an existing userName is accepted (RFC 7643 §4.1.1: caseExact false,
    //    unique; its own /Schemas says uniqueness "server", caseExact false).
    let mut alice = user("alice");
    alice["displayName"] = json!("Alice Display");
    alice["name"] = json!({"givenName": "Alice", "familyName": "Liddell"});
    let created = server.json("POST", "/Users", Some(&alice), 201);
    server.json("POST", "/Users", Some(&user("Alice")), 201);
    let found = server.json(
        "GET",
        "/Users?filter=userName%20eq%20%22alice%22",
        None,
        200,
    );
    assert_eq!(found["totalResults"], 2, "{found}");
    // ...while an exact duplicate is refused 409, but without scimType "uniqueness" (RFC 7644 §3.3).
    let duplicate = server.json("POST", "/Users", Some(&user("alice")), 409);
    assert!(duplicate.get("scimType").is_none(), "{duplicate}");

    // 3. A sent displayName is not kept: it is derived from the name parts.
    assert_eq!(created["displayName"], "Alice Liddell", "{created}");
    let id = created["id"].as_str().expect("an id");
    let read = server.json("GET", &format!("/Users/{id}"), None, 200);
    assert_eq!(read["displayName"], "Alice Liddell", "{read}");

    // 4. PATCH of a user: every `add` and `remove`, and a `replace` of anything but userName, the
    //    name parts, emails and active, answer 501; `replace` of active (with or without a path) works.
    let path = format!("/Users/{id}");
    for operation in [
        json!({"op": "add", "path": "nickName", "value": "Al"}),
        json!({"op": "remove", "path": "title"}),
        json!({"op": "replace", "path": "displayName", "value": "X"}),
        json!({"op": "replace", "path": "externalId", "value": "e-2"}),
    ] {
        let refused = server.json("PATCH", &path, Some(&patch(json!([operation]))), 501);
        assert_eq!(refused["status"], 501, "{refused}");
    }
    let body = patch(json!([{"op": "replace", "value": {"active": false}}]));
    let patched = server.json("PATCH", &path, Some(&body), 200);
    assert_eq!(patched["active"], false, "{patched}");

    // 5. A group keeps no members sent on create, and `displayName` filters match nothing.
    let mut group = json!({"schemas": [GROUP_SCHEMA], "displayName": "Eng"});
    group["members"] = json!([{"value": id}]);
    let created = server.json("POST", "/Groups", Some(&group), 201);
    assert_eq!(created["members"], json!([]), "{created}");
    let found = server.json(
        "GET",
        "/Groups?filter=displayName%20eq%20%22Eng%22",
        None,
        200,
    );
    assert_eq!(found["totalResults"], 0, "{found}");
    // A member added by PATCH stays through a PUT without it and a value-less remove of members;
    // a member id that is not a number is a 500.
    let group_path = format!("/Groups/{}", created["id"].as_str().expect("a group id"));
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    server.json("PATCH", &group_path, Some(&add), 200);
    let put = json!({"schemas": [GROUP_SCHEMA], "displayName": "Eng", "members": []});
    let replaced = server.json("PUT", &group_path, Some(&put), 200);
    assert_eq!(replaced["members"][0]["value"], id, "{replaced}");
    let remove_all = patch(json!([{"op": "remove", "path": "members"}]));
    let removed = server.json("PATCH", &group_path, Some(&remove_all), 200);
    assert_eq!(removed["members"][0]["value"], id, "{removed}");
    let bogus = patch(json!([{"op": "add", "path": "members", "value": [{"value": "abc"}]}]));
    assert_eq!(status(&server, "PATCH", &group_path, Some(&bogus)), 500);
    // On users, an unmapped clause of an `and` is dropped.
    let found = server.json(
        "GET",
        "/Users?filter=userName%20eq%20%22alice%22%20and%20externalId%20eq%20%22nope%22",
        None,
        200,
    );
    assert_eq!(
        found["totalResults"], 2,
        "alice and Alice, where the RFC says none: {found}"
    );

    // 6. A user without userName is created (RFC 7643 §4.1.1: REQUIRED).
    let nameless = json!({"schemas": [USER_SCHEMA], "displayName": "no userName"});
    let created = server.json("POST", "/Users", Some(&nameless), 201);
    assert_eq!(created["userName"], "", "{created}");

    // 7. startIndex 0 is refused (RFC 7644 §3.4.2.4: less than 1 is read as 1).
    assert_eq!(status(&server, "GET", "/Users?startIndex=0", None), 400);
}
