'use strict';
// Bundles the wisp tool (build/wisp.ts and what it imports) into out/tools/wisp.js with esbuild,
// only when one of the bundle's inputs changed (content hashes from esbuild's metafile).
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, 'out/tools/wisp.js');
const stampFile = path.join(root, 'out/tools/wisp.inputs.json');

function hashFile(file) {
  try { return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'); }
  catch { return null; }
}

function isFresh() {
  if (!fs.existsSync(outfile)) return false;
  let stamp;
  try { stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')); } catch { return false; }
  for (const [file, hash] of Object.entries(stamp.inputs)) {
    if (hashFile(path.join(root, file)) !== hash) return false;
  }
  return true;
}

/** Makes sure out/tools/wisp.js is current; returns its path. */
function ensureToolsBundle() {
  if (isFresh()) return outfile;
  let esbuild;
  try { esbuild = require('esbuild'); }
  catch { throw new Error('esbuild is not installed: run `npm run setup` (or `npm ci`) first'); }
  const own = process.argv.slice(2, process.argv.includes('--') ? process.argv.indexOf('--') : undefined);
  if (!own.includes('--quiet') && !own.includes('-q')) console.error('setup: bundle build/wisp.ts -> out/tools/wisp.js');   // wisp --quiet
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ['build/wisp.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) inputs[file] = hashFile(path.join(root, file));
  inputs['build/bundle.cjs'] = hashFile(__filename);
  fs.writeFileSync(stampFile, JSON.stringify({ inputs }, null, 1));
  return outfile;
}

module.exports = { ensureToolsBundle };

if (require.main === module) {
  try { ensureToolsBundle(); }
  catch (e) { console.error(`setup: ${e.message}`); process.exit(1); }
}
