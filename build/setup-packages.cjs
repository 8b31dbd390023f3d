// For build/setup.sh, before npm ci: the Debian packages of build/tools.json, one per line as
// "PACKAGE<TAB>what needs it", in table order. (build/tools.ts reads the same table.)
'use strict';
const table = require('./tools.json');
const uses = new Map();
for (const kind of ['programs', 'files']) {
  for (const [name, e] of Object.entries(table[kind])) {
    if (!uses.has(e.package)) uses.set(e.package, []);
    uses.get(e.package).push(name);
  }
}
for (const [pkg, names] of uses) console.log(`${pkg}\t${names.join(', ')}`);
