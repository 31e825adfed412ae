// The Runscope script API, as far as Okta's files and common Runscope suites use it:
// `variables.get/set`, `response` and `request`, `log`/`console.log`, chai's `assert` and
// `expect` (a subset). Loaded by script.rs into a fresh QuickJS context for every script.
// Input arrives as the JSON text `__input`; the result leaves as the JSON text the program
// evaluates to. A failed assertion throws an AssertionError, which fails the step.
var __in = JSON.parse(__input);
var __vars = __in.vars;
var __logs = [];
var variables = {
  get: function (name) {
    return Object.prototype.hasOwnProperty.call(__vars, name) ? __vars[name] : undefined;
  },
  set: function (name, value) {
    __vars[String(name)] = value === undefined || value === null ? "" : String(value);
  }
};
var response = __in.response;
var request = __in.request;
function __show(value) {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  try { return JSON.stringify(value); } catch (e) { return String(value); }
}
function log() {
  var parts = [];
  for (var i = 0; i < arguments.length; i++) {
    parts.push(typeof arguments[i] === "string" ? arguments[i] : __show(arguments[i]));
  }
  __logs.push(parts.join(" "));
}
var console = { log: log, info: log, warn: log, error: log };
function AssertionError(message) { this.name = "AssertionError"; this.message = message; }
AssertionError.prototype = Object.create(Error.prototype);
function __fail(message) { throw new AssertionError(message); }
function __typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
function __isEmpty(value) {
  if (typeof value === "string" || Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length === 0;
  __fail(".empty was given " + __show(value) + ", not a string, array or object");
}
function __includes(haystack, needle) {
  if (typeof haystack === "string") return haystack.indexOf(needle) !== -1;
  if (Array.isArray(haystack)) {
    for (var i = 0; i < haystack.length; i++) {
      if (__deepEqual(haystack[i], needle)) return true;
    }
    return false;
  }
  if (haystack !== null && typeof haystack === "object") {
    return Object.keys(needle || {}).every(function (key) {
      return __deepEqual(haystack[key], needle[key]);
    });
  }
  return false;
}
function __deepEqual(a, b) { return __show(a) === __show(b); }
function __lengthOf(value) {
  return value !== null && value !== undefined && typeof value.length === "number" ? value.length : undefined;
}
function __ensure(ok, message, fallback) { if (!ok) __fail(message || fallback); }

function assert(expression, message) {
  __ensure(expression, message, "expected " + __show(expression) + " to be truthy");
}
assert.fail = function (message) { __fail(message || "assert.fail()"); };
assert.ok = assert.isOk = assert;
assert.notOk = assert.isNotOk = function (v, m) { __ensure(!v, m, "expected " + __show(v) + " to be falsy"); };
assert.equal = function (a, b, m) { __ensure(a == b, m, "expected " + __show(a) + " to equal " + __show(b)); };
assert.notEqual = function (a, b, m) { __ensure(a != b, m, "expected " + __show(a) + " to not equal " + __show(b)); };
assert.strictEqual = function (a, b, m) { __ensure(a === b, m, "expected " + __show(a) + " to equal " + __show(b)); };
assert.notStrictEqual = function (a, b, m) { __ensure(a !== b, m, "expected " + __show(a) + " to not equal " + __show(b)); };
assert.deepEqual = function (a, b, m) { __ensure(__deepEqual(a, b), m, "expected " + __show(a) + " to deeply equal " + __show(b)); };
assert.notDeepEqual = function (a, b, m) { __ensure(!__deepEqual(a, b), m, "expected " + __show(a) + " to not deeply equal " + __show(b)); };
assert.isTrue = function (v, m) { __ensure(v === true, m, "expected " + __show(v) + " to be true"); };
assert.isFalse = function (v, m) { __ensure(v === false, m, "expected " + __show(v) + " to be false"); };
assert.isNull = function (v, m) { __ensure(v === null, m, "expected " + __show(v) + " to be null"); };
assert.isNotNull = function (v, m) { __ensure(v !== null, m, "expected " + __show(v) + " to not be null"); };
assert.isUndefined = function (v, m) { __ensure(v === undefined, m, "expected " + __show(v) + " to be undefined"); };
assert.isDefined = function (v, m) { __ensure(v !== undefined, m, "expected " + __show(v) + " to be defined"); };
assert.exists = function (v, m) { __ensure(v !== null && v !== undefined, m, "expected " + __show(v) + " to exist"); };
assert.notExists = function (v, m) { __ensure(v === null || v === undefined, m, "expected " + __show(v) + " to not exist"); };
["array", "string", "number", "boolean", "object", "function"].forEach(function (type) {
  var name = type.charAt(0).toUpperCase() + type.slice(1);
  assert["is" + name] = function (v, m) { __ensure(__typeOf(v) === type, m, "expected " + __show(v) + " to be a " + type); };
  assert["isNot" + name] = function (v, m) { __ensure(__typeOf(v) !== type, m, "expected " + __show(v) + " not to be a " + type); };
});
assert.isEmpty = function (v, m) { __ensure(__isEmpty(v), m, "expected " + __show(v) + " to be empty"); };
assert.isNotEmpty = function (v, m) { __ensure(!__isEmpty(v), m, "expected " + __show(v) + " not to be empty"); };
assert.include = function (h, n, m) { __ensure(__includes(h, n), m, "expected " + __show(h) + " to include " + __show(n)); };
assert.notInclude = function (h, n, m) { __ensure(!__includes(h, n), m, "expected " + __show(h) + " to not include " + __show(n)); };
assert.lengthOf = function (v, n, m) { __ensure(__lengthOf(v) === n, m, "expected " + __show(v) + " to have a length of " + n); };
assert.property = function (o, p, m) { __ensure(o !== null && o !== undefined && p in Object(o), m, "expected " + __show(o) + " to have property " + p); };
assert.propertyVal = function (o, p, v, m) { __ensure(o !== null && o !== undefined && o[p] === v, m, "expected " + __show(o) + " to have property " + p + " of " + __show(v)); };
assert.isAbove = function (a, b, m) { __ensure(a > b, m, "expected " + __show(a) + " to be above " + b); };
assert.isBelow = function (a, b, m) { __ensure(a < b, m, "expected " + __show(a) + " to be below " + b); };
assert.isAtLeast = function (a, b, m) { __ensure(a >= b, m, "expected " + __show(a) + " to be at least " + b); };
assert.isAtMost = function (a, b, m) { __ensure(a <= b, m, "expected " + __show(a) + " to be at most " + b); };
assert.match = function (s, re, m) { __ensure(re.test(s), m, "expected " + __show(s) + " to match " + re); };

function Expectation(value, message) { this._value = value; this._negate = false; this._message = message; }
Expectation.prototype._check = function (ok, what) {
  if (this._negate ? ok : !ok) {
    __fail(this._message || "expected " + __show(this._value) + (this._negate ? " not " : " ") + what);
  }
  return this;
};
["to", "be", "been", "is", "that", "which", "and", "has", "have", "with", "at", "of", "same", "but", "does", "itself"]
  .forEach(function (word) {
    Object.defineProperty(Expectation.prototype, word, { get: function () { return this; } });
  });
Object.defineProperty(Expectation.prototype, "not", {
  get: function () { this._negate = !this._negate; return this; }
});
var __flags = {
  empty: function (v) { return [__isEmpty(v), "to be empty"]; },
  ok: function (v) { return [!!v, "to be truthy"]; },
  "true": function (v) { return [v === true, "to be true"]; },
  "false": function (v) { return [v === false, "to be false"]; },
  "null": function (v) { return [v === null, "to be null"]; },
  "undefined": function (v) { return [v === undefined, "to be undefined"]; },
  exist: function (v) { return [v !== null && v !== undefined, "to exist"]; }
};
Object.keys(__flags).forEach(function (flag) {
  Object.defineProperty(Expectation.prototype, flag, {
    get: function () { var r = __flags[flag](this._value); return this._check(r[0], r[1]); }
  });
});
var __methods = {
  a: function (v, type) { return [__typeOf(v) === String(type).toLowerCase(), "to be a " + type]; },
  equal: function (v, w) { return [v === w, "to equal " + __show(w)]; },
  eql: function (v, w) { return [__deepEqual(v, w), "to deeply equal " + __show(w)]; },
  above: function (v, n) { return [v > n, "to be above " + n]; },
  below: function (v, n) { return [v < n, "to be below " + n]; },
  least: function (v, n) { return [v >= n, "to be at least " + n]; },
  most: function (v, n) { return [v <= n, "to be at most " + n]; },
  include: function (v, n) { return [__includes(v, n), "to include " + __show(n)]; },
  lengthOf: function (v, n) { return [__lengthOf(v) === n, "to have a length of " + n]; },
  match: function (v, re) { return [re.test(v), "to match " + re]; },
  oneOf: function (v, list) { return [__includes(list, v), "to be one of " + __show(list)]; },
  property: function (v, name, value) {
    var has = v !== null && v !== undefined && name in Object(v);
    if (arguments.length < 3) return [has, "to have property " + name];
    return [has && __deepEqual(v[name], value), "to have property " + name + " of " + __show(value)];
  }
};
var __aliases = { an: "a", equals: "equal", eq: "equal", eqls: "eql", gt: "above", greaterThan: "above",
  lt: "below", lessThan: "below", gte: "least", lte: "most", contain: "include", includes: "include",
  contains: "include", length: "lengthOf", matches: "match" };
Object.keys(__methods).concat(Object.keys(__aliases)).forEach(function (name) {
  var impl = __methods[__aliases[name] || name];
  Expectation.prototype[name] = function () {
    var args = [this._value].concat(Array.prototype.slice.call(arguments));
    var r = impl.apply(null, args);
    return this._check(r[0], r[1]);
  };
});
function expect(value, message) { return new Expectation(value, message); }

function __run() {
  try {
    (0, eval)(__in.source);
    return JSON.stringify({ ok: true, vars: __vars, logs: __logs });
  } catch (e) {
    var text = e && e.message !== undefined ? (e.name && e.name !== "AssertionError" ? e.name + ": " : "") + e.message : String(e);
    return JSON.stringify({ ok: false, error: text, vars: __vars, logs: __logs });
  }
}
__run();
