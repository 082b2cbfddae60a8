#!/bin/sh
# Checks that the installed Node.js satisfies the "engines.node" range of every npm package
# in node_modules.  A too old Node makes the browser tests stop in the middle of the run
# with a message per test; this says it once, before anything is built or started.
# Prints nothing and exits 0 when every range is met; else one line and exit 1.
set -eu
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1; then
  echo "check-node: node is not installed (run scripts/deps.sh)" >&2
  exit 1
fi
[ -d node_modules ] || exit 0
# Plain ES5 and only fs/path so that it runs on every Node old enough to need the message.
exec node -e '
var fs = require("fs"), path = require("path");
function ver(s) {
  var m = /^\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?/.exec(s);
  if (!m) return null;
  return [m[1], m[2], m[3]].map(function (p) { return p === undefined || /[xX*]/.test(p) ? null : +p; });
}
function cmp(a, b) {
  for (var i = 0; i < 3; i++) { if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1; }
  return 0;
}
function fill(v, d) { return v.map(function (p) { return p === null ? d : p; }); }
function upperOf(v, caret) {
  /* The first version outside ^v or ~v (or v.x). */
  if (v[0] === null) return null;
  if (v[1] === null) return [v[0] + 1, 0, 0];
  if (caret && v[0] > 0) return [v[0] + 1, 0, 0];
  if (caret && v[1] > 0 || v[2] === null || !caret) return [v[0], v[1] + 1, 0];
  return [v[0], v[1], v[2] + 1];
}
function comparator(c, n) {
  var m = /^(>=|<=|>|<|=|\^|~)?\s*(.*)$/.exec(c), op = m[1] || "", v = ver(m[2]);
  if (m[2] === "" || /^[xX*]$/.test(m[2])) return true;
  if (!v) throw new Error("cannot read range part \"" + c + "\"");
  var lo = fill(v, 0);
  if (op === ">=") return cmp(n, lo) >= 0;
  if (op === ">") return v[2] === null ? cmp(n, upperOf(v, false) || lo) >= 0 : cmp(n, lo) > 0;
  if (op === "<") return cmp(n, lo) < 0;
  if (op === "<=") return v[2] === null ? cmp(n, upperOf(v, false)) < 0 : cmp(n, lo) <= 0;
  var hi = upperOf(v, op === "^");
  if (op === "" || op === "=") hi = v[2] === null ? upperOf(v, false) : null;
  if (hi === null) return cmp(n, lo) === 0;
  return cmp(n, lo) >= 0 && cmp(n, hi) < 0;
}
function satisfies(range, n) {
  return range.split("||").some(function (alt) {
    alt = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1");
    var h = /^(\S+)\s+-\s+(\S+)$/.exec(alt);
    if (h) return comparator(">=" + h[1], n) && comparator("<=" + h[2], n);
    return alt.split(/\s+/).every(function (c) { return comparator(c, n); });
  });
}
var node = fill(ver(process.version), 0), bad = [];
function walk(dir) {
  var names;
  try { names = fs.readdirSync(dir); } catch (e) { return; }
  names.forEach(function (name) {
    if (name.charAt(0) === ".") return;
    var p = path.join(dir, name);
    if (name.charAt(0) === "@") return walk(p);
    var pkg;
    try { pkg = JSON.parse(fs.readFileSync(path.join(p, "package.json"), "utf8")); } catch (e) { return; }
    var want = pkg.engines && typeof pkg.engines.node === "string" ? pkg.engines.node : null;
    if (want && !satisfies(want, node)) bad.push(pkg.name + "@" + pkg.version + " needs node " + want);
    walk(path.join(p, "node_modules"));
  });
}
try { walk("node_modules"); } catch (e) { console.error("check-node: " + e.message); process.exit(1); }
if (bad.length) {
  console.error("check-node: Node.js " + process.version + " is too old for the installed npm packages (" +
                bad.join("; ") + "): install a newer nodejs or pin older package versions in package.json");
  process.exit(1);
}
'
