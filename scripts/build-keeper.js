#!/usr/bin/env node
/**
 * Builds the keeper daemon as it ships: `tsc -b keeper/tsconfig.build.json` (incremental: a build
 * with nothing changed only compares stamps) to dist/, then the status page's static files beside
 * the compiled code that serves them, and prunes compiled files whose source is gone (an
 * incremental build never deletes them, and a stale `status.js` would shadow a new `status/`
 * folder at require time). Quiet on success, so `npm run keeper -- status --json` prints only its JSON.
 *
 *   node scripts/build-keeper.js      (npm run build:keeper)
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS executable */
const { spawnSync } = require("child_process");
const { cpSync, existsSync, readdirSync, rmSync } = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const PUBLIC_FROM = path.join(ROOT, "keeper", "src", "statusPage", "public");
const PUBLIC_TO = path.join(ROOT, "dist", "keeper", "src", "statusPage", "public");
/** What tsc emits for one source file `x.ts`. */
const EMITTED = [".js", ".js.map", ".d.ts", ".d.ts.map"];

/** Deletes every emitted file under `outDir` whose `.ts` source under `srcDir` no longer exists; returns their paths. */
function pruneOrphans(srcDir, outDir, skip = new Set()) {
  const removed = [];
  if (!existsSync(outDir)) return removed;
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    const out = path.join(outDir, entry.name);
    if (entry.isDirectory()) {
      if (skip.has(out)) continue;
      removed.push(...pruneOrphans(path.join(srcDir, entry.name), out, skip));
      if (readdirSync(out).length === 0) rmSync(out, { recursive: true });
      continue;
    }
    const ext = EMITTED.find((e) => entry.name.endsWith(e));
    if (ext && !existsSync(path.join(srcDir, entry.name.slice(0, -ext.length) + ".ts"))) {
      rmSync(out);
      removed.push(out);
    }
  }
  return removed;
}

function main() {
  const tsc = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-b", path.join(ROOT, "keeper", "tsconfig.build.json")],
    { cwd: ROOT, stdio: "inherit" },
  );
  if (tsc.status !== 0) {
    process.stderr.write(`build:keeper: tsc failed (${tsc.status ?? tsc.signal})\n`);
    process.exit(tsc.status || 1);
  }
  pruneOrphans(path.join(ROOT, "keeper", "src"), path.join(ROOT, "dist", "keeper", "src"), new Set([PUBLIC_TO]));
  cpSync(PUBLIC_FROM, PUBLIC_TO, { recursive: true });
}

module.exports = { pruneOrphans };
if (require.main === module) main();
