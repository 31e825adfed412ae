// scimfuzz's own initial script for tests/data/runscope/provisioning.json (not Okta's): it runs once
// before the first step and sets the variables the steps use. Names get a random suffix so reruns
// against one server do not collide; every name has lowercase letters, so its upper-case variant
// differs from it.
function suffix(length) {
  var digits = "0123456789";
  var text = "";
  for (var i = 0; i < length; i++) {
    text += digits.charAt(Math.floor(Math.random() * digits.length));
  }
  return text;
}

var given = "Ada" + suffix(4);
var family = "Lovelace" + suffix(4);
var login = given + "." + family + "@example.org";

variables.set("personGiven", given);
variables.set("personFamily", family);
variables.set("personLogin", login);
variables.set("personLoginUpper", login.toUpperCase());
variables.set("absentLogin", "nobody." + suffix(6) + "@example.org");
variables.set("absentId", "not-a-real-id-" + suffix(8));
variables.set("teamName", "Analysts " + suffix(4));
