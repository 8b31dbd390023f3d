#!/usr/bin/env node
'use strict';
// `npx wisp ...`: bundle the tool when out/tools/wisp.js is missing or stale, then run it.
const { ensureToolsBundle } = require('./bundle.cjs');
let tool;
try { tool = ensureToolsBundle(); }
catch (e) { console.error(`wisp: ${e.message}`); process.exit(1); }
require(tool);
