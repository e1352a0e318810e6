/**
 * Mutation check: plants one known bug at a time in a COPY of the project (a temp directory; the
 * working tree is never touched), runs the check that should catch it, and reports what caught it.
 * Every INV-n of docs/invariants.md has a planted bug here; a mutation that survives is a hole.
 *
 * Two kinds of checker:
 * - the seeded Foundry invariant campaign (test/foundry/invariant/), the default: caught when the
 *   campaign fails and its failure message names the targeted INV id;
 * - a Hardhat test file (for invariants the campaign does not check, e.g. INV-14's bad-input
 *   table): caught when `hardhat test <file>` fails and one of its failing tests is the row
 *   `row` names (the test of the bound that was removed), not merely any test.
 * Each checker first runs once on the unmutated copy and must pass there, or nothing is reported.
 *
 *   npx ts-node scripts/mutation.ts [--runs 128] [--only INV-5]
 *
 * --runs is the campaign's run count (at least; a mutation may ask for more), --only one INV id.
 *
 * Exit status 0 when every mutation was caught by the invariant it targets.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { campaignFailures, describeFailures } from "./campaignOutput";
import { MUTATIONS, type Mutation } from "./mutations";

const ROOT = path.resolve(__dirname, "..");
const SEED = process.env.BALLAST_FUZZ_SEED || "0xba11a57";
const DEPTH = 32;
/** Build outputs and local state: regenerated in the copy, or not needed there. */
const NOT_COPIED = new Set([
  "node_modules",
  ".git",
  "artifacts",
  "cache",
  "typechain-types",
  "coverage",
  "reports",
  "dist",
  ".ballast",
]);

interface Verdict {
  failed: boolean;
  /** The campaign's failure message, or the failing test titles (joined). */
  detail: string;
  /** INV ids the checker named (campaign), or the failing rows that match the mutation's row. */
  caughtBy: string[];
  seconds: number;
}

function forgeBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return path.join(
    path.dirname(require.resolve(`@foundry-rs/forge-${process.platform}-${arch}/package.json`)),
    "bin",
    "forge",
  );
}

/** The whole project without build outputs, node_modules linked: enough for forge and Hardhat. */
function prepareWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-mutation-"));
  for (const item of fs.readdirSync(ROOT)) {
    if (NOT_COPIED.has(item)) continue;
    fs.cpSync(path.join(ROOT, item), path.join(dir, item), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

function run(
  dir: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): { status: number; out: string; seconds: number } {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return {
    status: result.status ?? 1,
    out: `${result.stdout}\n${result.stderr}`,
    seconds: (Date.now() - started) / 1000,
  };
}

function runCampaign(dir: string, runs: number): Verdict {
  // forge replays a persisted counterexample before a fresh campaign: one mutation's failing
  // sequence must not be replayed against the next mutation (or a baseline).
  fs.rmSync(path.join(dir, "cache", "invariant"), { recursive: true, force: true });
  fs.rmSync(path.join(dir, "cache", "test-failures"), { recursive: true, force: true });
  const r = run(dir, forgeBinary(), ["test", "--match-test", "invariant_", "--fuzz-seed", SEED], {
    FOUNDRY_PROFILE: "default",
    FOUNDRY_INVARIANT_RUNS: String(runs),
    FOUNDRY_INVARIANT_DEPTH: String(DEPTH),
  });
  // Both venues' suites run; a mutation is caught when any suite's failure names its INV id.
  const failures = campaignFailures(r.out);
  const detail =
    failures.length > 0 ? describeFailures(failures) : r.status !== 0 ? /Error: ([^\n]*)/.exec(r.out)?.[1] ?? "" : "";
  return {
    failed: r.status !== 0,
    detail,
    caughtBy: [...new Set(failures.flatMap((f) => f.message.match(/INV-\d+/g) ?? []))],
    seconds: r.seconds,
  };
}

/** Failing test titles from mocha's spec reporter: its "  N) title" lines as the tests run (the
 * summary after "N passing" repeats them under their describe titles). */
function failingTitles(out: string): string[] {
  const live = out.split(/^\s*\d+ passing/m)[0];
  return [...new Set([...live.matchAll(/^\s+\d+\) (.+)$/gm)].map((m) => m[1].trim()))];
}

function runHardhatTest(dir: string, file: string, row: RegExp | undefined): Verdict {
  const r = run(dir, path.join(dir, "node_modules", ".bin", "hardhat"), ["test", file], {});
  const failing = failingTitles(r.out);
  const passing = /(\d+) passing/.exec(r.out)?.[1];
  const summary = passing
    ? `${passing} passing, ${/(\d+) failing/.exec(r.out)?.[1] ?? 0} failing`
    : r.out.trim().split("\n").slice(-3).join(" ");
  return {
    failed: r.status !== 0,
    detail: failing.length > 0 ? `${summary}: ${failing.join(" | ")}` : summary,
    caughtBy: row ? failing.filter((t) => row.test(t)) : [],
    seconds: r.seconds,
  };
}

type Checker = { campaignRuns: number } | { hardhatTest: string; row?: RegExp };

function checkerOf(m: Mutation, defaultRuns: number): Checker {
  // --runs is a floor: a mutation that needs more runs to reach its states keeps them.
  return m.checker ?? { campaignRuns: Math.max(m.runs ?? 0, defaultRuns) };
}

function checkerName(c: Checker): string {
  return "campaignRuns" in c ? `campaign ${c.campaignRuns} x ${DEPTH}` : `hardhat test ${c.hardhatTest}`;
}

function check(dir: string, c: Checker): Verdict {
  return "campaignRuns" in c ? runCampaign(dir, c.campaignRuns) : runHardhatTest(dir, c.hardhatTest, c.row);
}

function apply(dir: string, m: Mutation): Map<string, string> {
  const originals = new Map<string, string>();
  for (const edit of m.edits) {
    const file = path.join(dir, edit.file);
    if (!originals.has(file)) originals.set(file, fs.readFileSync(file, "utf8"));
    const current = fs.readFileSync(file, "utf8");
    const count = current.split(edit.find).length - 1;
    if (count !== 1) throw new Error(`${m.invariant}: pattern found ${count} times in ${edit.file}: ${edit.find}`);
    fs.writeFileSync(file, current.replace(edit.find, edit.replace));
  }
  return originals;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(): number {
  const args = process.argv.slice(2);
  const runs = Number(option(args, "--runs") ?? 128);
  const only = option(args, "--only");
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer`);
  const selected = MUTATIONS.filter((x) => !only || x.invariant === only);
  if (selected.length === 0) throw new Error(`no mutation targets ${only}`);
  const started = Date.now();
  const dir = prepareWorkspace();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `mutation check in ${dir} (seed ${SEED}, campaign ${runs} runs x depth ${DEPTH} unless a mutation asks for more)`,
  );
  try {
    // Every checker must pass on the unmutated copy first (with the same run count), or a "catch"
    // would mean nothing.
    const checkers = new Map(selected.map((m) => [checkerName(checkerOf(m, runs)), checkerOf(m, runs)]));
    for (const [name, c] of checkers) {
      const baseline = check(dir, { ...c, row: undefined });
      if (baseline.failed) {
        log(`baseline FAILS (${name}) on the unmutated copy: ${baseline.detail}`);
        return 1;
      }
      log(
        `baseline: ${name} passes on the unmutated copy (${baseline.seconds.toFixed(0)} s)${
          "campaignRuns" in c ? "" : `: ${baseline.detail}`
        }`,
      );
    }
    const rows: {
      invariant: string;
      bug: string;
      checker: string;
      caughtBy: string[];
      ok: boolean;
      seconds: number;
      detail: string;
    }[] = [];
    for (const m of selected) {
      const c = checkerOf(m, runs);
      const originals = apply(dir, m);
      const result = check(dir, c);
      for (const [file, text] of originals) fs.writeFileSync(file, text);
      // Campaign: the failure must name the targeted INV id. Test file: a failing row must be the bug's own row.
      const ok = result.failed && (m.checker ? result.caughtBy.length > 0 : result.caughtBy.includes(m.invariant));
      const caughtBy = m.checker && ok ? [m.invariant] : result.caughtBy;
      rows.push({
        invariant: m.invariant,
        bug: m.bug,
        checker: checkerName(c),
        caughtBy,
        ok,
        seconds: result.seconds,
        detail: result.detail,
      });
      const outcome = result.failed ? result.detail : "checker passed";
      log(
        `${ok ? "caught  " : "SURVIVED"} ${m.invariant}: ${m.bug} (${checkerName(c)}, ${result.seconds.toFixed(
          0,
        )} s) -> ${outcome}`,
      );
    }
    const totalSec = (Date.now() - started) / 1000;
    log(`\n| Planted bug | Target | Checker | Caught by | Result |\n|---|---|---|---|---|`);
    for (const r of rows)
      log(
        `| ${r.bug} | ${r.invariant} | ${r.checker} | ${r.caughtBy.join(", ") || "—"} | ${
          r.ok ? "caught" : "survived"
        } |`,
      );
    log(
      `\n${rows.filter((r) => r.ok).length} of ${rows.length} caught by their target; ${totalSec.toFixed(0)} s in all`,
    );
    fs.mkdirSync(path.join(ROOT, "reports"), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, "reports", "mutation.json"),
      JSON.stringify({ seed: SEED, runs, depth: DEPTH, totalSec, rows }, null, 2),
    );
    return rows.every((r) => r.ok) ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
