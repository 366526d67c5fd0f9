#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('cairn: not built yet; run `npm run build` in ' + path.join(__dirname, '..'));
  process.exit(1);
}
// A worker re-executes itself once with its memory tuning (dist/worker/lean-process.js) before loading anything.
if (process.argv[2] === 'worker') {
  try {
    require(path.join(__dirname, '..', 'dist', 'worker', 'lean-process.js')).relaunchTuned();
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
}
require(entry).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
