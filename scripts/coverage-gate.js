#!/usr/bin/env node
/**
 * Coverage gate for `npm run coverage`: reads the coverage.json solidity-coverage just wrote and
 * fails unless line AND branch coverage of the protocol contracts are each at least the bar.
 * The protocol is every .sol file under contracts/ except the folders .solcover.js skips (test
 * helpers, benchmark floors). A protocol file without a record in the report fails the gate too,
 * so neither a wider skip list nor a run that instrumented less can shrink what is counted.
 * Prints per-file figures and every uncovered branch as `file:line side`; a failure names the
 * files below the bar, furthest first, with their figures.
 *
 *   node scripts/coverage-gate.js [--min 95] [--file coverage.json]
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS executable */
const fs = require("node:fs");
const path = require("node:path");

const DEFAULT_MIN_PERCENT = 95;
const ROOT = path.join(__dirname, "..");
const CONTRACTS_DIR = "contracts";

function parseArgs(argv) {
  const options = { min: DEFAULT_MIN_PERCENT, file: "coverage.json" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--min") options.min = Number(value);
    else if (flag === "--file") options.file = value;
    else throw new Error(`coverage-gate: unknown option ${flag} (expected --min or --file)`);
    if (value === undefined) throw new Error(`coverage-gate: ${flag} needs a value`);
  }
  if (!Number.isFinite(options.min) || options.min < 0 || options.min > 100) {
    throw new Error(`coverage-gate: --min must be a percentage in [0, 100], got ${options.min}`);
  }
  return options;
}

/**
 * The protocol's .sol files under `root`/contracts, as `contracts/…` paths: all but those whose
 * path starts with a `skipFiles` entry (relative to contracts/), as solidity-coverage matches them.
 */
function protocolFiles(root, skipFiles) {
  const skipped = skipFiles.map((s) => path.posix.join(CONTRACTS_DIR, s));
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".sol") && !skipped.some((s) => rel.startsWith(s))) files.push(rel);
    }
  };
  walk(CONTRACTS_DIR);
  return files.sort();
}

/** Lines hit/total, branch sides hit/total and the uncovered sides of one file's istanbul record. */
function measure(record) {
  const lineCounts = Object.values(record.l);
  const lines = { hit: lineCounts.filter((n) => n > 0).length, total: lineCounts.length };
  const branches = { hit: 0, total: 0 };
  const uncovered = [];
  for (const [id, sides] of Object.entries(record.b)) {
    sides.forEach((count, side) => {
      branches.total += 1;
      if (count > 0) branches.hit += 1;
      else uncovered.push(`${record.branchMap[id].line} ${record.branchMap[id].type}[${side}]`);
    });
  }
  return { lines, branches, uncovered };
}

const percent = ({ hit, total }) => (total === 0 ? 100 : (100 * hit) / total);
const show = (m) => `${percent(m).toFixed(2)}% (${m.hit}/${m.total})`;
const UNITS = { lines: "lines", branches: "branch sides" };

/**
 * Per-file figures of `report` (coverage.json, keyed by absolute or root-relative path), their
 * total, and every reason the gate fails (none: it passes). `protocol` lists the files that must
 * have a record.
 */
function evaluate(report, { min, root, protocol }) {
  const files = Object.entries(report)
    .map(([key, record]) => ({ path: path.isAbsolute(key) ? path.relative(root, key) : key, ...measure(record) }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const total = { lines: { hit: 0, total: 0 }, branches: { hit: 0, total: 0 } };
  for (const file of files) {
    for (const key of Object.keys(total)) {
      total[key].hit += file[key].hit;
      total[key].total += file[key].total;
    }
  }
  const failures = [];
  const recorded = new Set(files.map((f) => f.path));
  for (const missing of protocol.filter((f) => !recorded.has(f))) {
    failures.push(`${missing} is a protocol contract with no record in the report: it was not measured`);
  }
  if (total.lines.total === 0) failures.push("the report measures no protocol line: nothing was instrumented");
  for (const key of Object.keys(total)) {
    if (total.lines.total === 0 || percent(total[key]) >= min) continue;
    const needed = Math.ceil((min * total[key].total) / 100) - total[key].hit;
    const below = files
      .filter((f) => percent(f[key]) < min)
      .sort((a, b) => b[key].total - b[key].hit - (a[key].total - a[key].hit))
      .map((f) => `${f.path} ${show(f[key])}`);
    failures.push(
      `${key} ${show(total[key])} below ${min}%: ${needed} more ${UNITS[key]} needed; ` +
        `files below ${min}%, most uncovered first: ${below.join(", ")}`,
    );
  }
  return { files, total, failures };
}

function main() {
  const { min, file } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(file)) throw new Error(`coverage-gate: ${file} not found; run \`hardhat coverage\` first`);
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  const { skipFiles = [] } = require(path.join(ROOT, ".solcover.js"));
  const { files, total, failures } = evaluate(report, { min, root: ROOT, protocol: protocolFiles(ROOT, skipFiles) });
  for (const f of files) {
    if (f.lines.total === 0 && f.branches.total === 0) continue;
    console.log(`${f.path.padEnd(44)} lines ${show(f.lines).padEnd(20)} branches ${show(f.branches)}`);
    for (const side of f.uncovered) console.log(`    uncovered branch ${f.path}:${side}`);
  }
  const scope = `${CONTRACTS_DIR}/ but ${skipFiles.join(", ") || "nothing"}`;
  console.log(`${scope.padEnd(44)} lines ${show(total.lines).padEnd(20)} branches ${show(total.branches)}`);
  if (failures.length) {
    for (const failure of failures) console.error(`coverage-gate: ${failure}`);
    process.exit(1);
  }
  console.log(`coverage-gate: lines and branches at or above ${min}%`);
}

module.exports = { evaluate, protocolFiles, measure };
if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
}
