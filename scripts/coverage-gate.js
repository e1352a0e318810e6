#!/usr/bin/env node
/**
 * Coverage gate for `npm run coverage`: reads the coverage.json solidity-coverage just wrote and
 * fails unless line AND branch coverage of the protocol contracts (contracts/ minus the files
 * .solcover.js skips) are each at least the bar. Prints per-file figures and every uncovered
 * branch as `file:line side`, so a drop says where it happened.
 *
 *   node scripts/coverage-gate.js [--min 95] [--file coverage.json]
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS executable */
const fs = require("node:fs");

const DEFAULT_MIN_PERCENT = 95;

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

function main() {
  const { min, file } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(file)) throw new Error(`coverage-gate: ${file} not found; run \`hardhat coverage\` first`);
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  const total = { lines: { hit: 0, total: 0 }, branches: { hit: 0, total: 0 } };
  for (const [path, record] of Object.entries(report)) {
    const m = measure(record);
    for (const key of ["lines", "branches"]) {
      total[key].hit += m[key].hit;
      total[key].total += m[key].total;
    }
    if (m.lines.total === 0 && m.branches.total === 0) continue;
    console.log(`${path.padEnd(40)} lines ${show(m.lines).padEnd(20)} branches ${show(m.branches)}`);
    for (const side of m.uncovered) console.log(`    uncovered branch ${path}:${side}`);
  }
  console.log(
    `${"contracts/ (protocol)".padEnd(40)} lines ${show(total.lines).padEnd(20)} branches ${show(total.branches)}`,
  );
  const short = ["lines", "branches"].filter((key) => percent(total[key]) < min);
  if (short.length) {
    console.error(`coverage-gate: ${short.join(" and ")} below ${min}%`);
    process.exit(1);
  }
  console.log(`coverage-gate: lines and branches at or above ${min}%`);
}

try {
  main();
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
