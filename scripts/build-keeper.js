#!/usr/bin/env node
/**
 * Builds the keeper daemon as it ships: `tsc -b keeper/tsconfig.build.json` (incremental: a build
 * with nothing changed only compares stamps) to dist/, then the status page's static files beside
 * the compiled code that serves them. Quiet on success, so `npm run keeper -- status --json`
 * prints only its JSON.
 *
 *   node scripts/build-keeper.js      (npm run build:keeper)
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS executable */
const { spawnSync } = require("child_process");
const { cpSync } = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const PUBLIC_FROM = path.join(ROOT, "keeper", "src", "statusPage", "public");
const PUBLIC_TO = path.join(ROOT, "dist", "keeper", "src", "statusPage", "public");

const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", path.join(ROOT, "keeper", "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
if (tsc.status !== 0) {
  process.stderr.write(`build:keeper: tsc failed (${tsc.status ?? tsc.signal})\n`);
  process.exit(tsc.status || 1);
}
cpSync(PUBLIC_FROM, PUBLIC_TO, { recursive: true });
