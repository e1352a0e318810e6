/**
 * Mutation check for the invariant campaign: plants one known bug at a time in a COPY of the
 * contracts (a temp directory; the working tree is never touched), runs the seeded campaign
 * against it, and reports which invariant caught it. Each INV-n of docs/invariants.md that the
 * campaign checks has a planted bug here; a mutation that survives is a hole in the campaign.
 *
 *   npx ts-node scripts/mutation.ts [--runs 128] [--only INV-5]
 *
 * Exit status 0 when every mutation was caught by the invariant it targets.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface Mutation {
  invariant: string;
  bug: string;
  edits: { file: string; find: string; replace: string }[];
}

const MUTATIONS: Mutation[] = [
  {
    invariant: "INV-1",
    bug: "BallastDollar.mint creates one wei more than asked",
    edits: [{ file: "contracts/BallastDollar.sol", find: "_mint(to, amount);", replace: "_mint(to, amount + 1);" }],
  },
  {
    invariant: "INV-2",
    bug: "Reserve counts its raw token balance (donations included) as accounted collateral",
    edits: [{ file: "contracts/Reserve.sol", find: "return h.idle + _strategyValue(asset, h);", replace: "return IERC20(asset).balanceOf(address(this)) + _strategyValue(asset, h);" }],
  },
  {
    invariant: "INV-11",
    bug: "redeem pays the full peg value when the reserve is short (no pro-rata)",
    edits: [{ file: "contracts/Reserve.sol", find: "if (ratioWad < WAD) valueWad = Math.mulDiv(valueWad, ratioWad, WAD);", replace: "" }],
  },
  {
    invariant: "INV-4",
    bug: "mint ignores the asset's haircut",
    edits: [{
      file: "contracts/Reserve.sol",
      find: "uint256 haircutValue = _haircut(_value(asset, amountIn, oracle.price(asset)), asset);",
      replace: "uint256 haircutValue = _value(asset, amountIn, oracle.price(asset));",
    }],
  },
  {
    invariant: "INV-5",
    bug: "PegMath oversizes trades past the peg and the on-chain crossing check is gone",
    edits: [
      { file: "contracts/libraries/PegMath.sol", find: "return (Math.sqrt(disc) - b) / (2 * FEE_N);", replace: "return (Math.sqrt(disc) - b) / (2 * FEE_N) * 2;" },
      { file: "contracts/MarketOperator.sol", find: "if (crossed) revert PegCrossed(spotAfterWad);", replace: "crossed;" },
    ],
  },
  {
    invariant: "INV-6",
    bug: "expansion keeps only a quarter of the quote it sold for, and skips the rule-7 check",
    edits: [
      { file: "contracts/MarketOperator.sol", find: "quoteOut = PegMath.amountOut(tokensSold, m.reserveToken, m.reserveQuote);", replace: "quoteOut = PegMath.amountOut(tokensSold, m.reserveToken, m.reserveQuote) / 4;" },
      { file: "contracts/MarketOperator.sol", find: "_requireSolvent(b, equityBefore, 0);\n        emit SupplyExpanded", replace: "emit SupplyExpanded" },
    ],
  },
  {
    invariant: "INV-7",
    bug: "the target ratio steps up three steps at a time",
    edits: [{ file: "contracts/CollateralPolicy.sol", find: "nextWad = currentWad + stepWad;", replace: "nextWad = currentWad + 3 * stepWad;" }],
  },
  {
    invariant: "INV-8",
    bug: "expansion ignores the per-operation cap",
    edits: [{
      file: "contracts/MarketOperator.sol",
      find: "uint256 capped = Math.min(toPeg, Math.min(_limits.maxExpansionPerOp, _expansionRoom()));",
      replace: "uint256 capped = Math.min(toPeg, _expansionRoom());",
    }],
  },
  {
    invariant: "INV-9",
    bug: "Reserve.releaseToOperator lost its OPERATOR_ROLE guard",
    edits: [{ file: "contracts/Reserve.sol", find: "        onlyRole(OPERATOR_ROLE)\n        nonReentrant\n    {", replace: "        nonReentrant\n    {" }],
  },
  {
    invariant: "INV-10",
    bug: "Reserve.mint lost whenNotPaused",
    edits: [{ file: "contracts/Reserve.sol", find: "        nonReentrant\n        whenNotPaused\n        returns (uint256 tokensOut)", replace: "        nonReentrant\n        returns (uint256 tokensOut)" }],
  },
  {
    invariant: "INV-11",
    bug: "redeem rounds the payout up",
    edits: [{ file: "contracts/Reserve.sol", find: "amountOut = Math.mulDiv(valueWad, _unit[asset], priceWad);", replace: "amountOut = Math.mulDiv(valueWad, _unit[asset], priceWad, Math.Rounding.Ceil);" }],
  },
  {
    invariant: "INV-12",
    bug: "the oracle no longer rejects stale answers",
    edits: [{
      file: "contracts/PriceOracle.sol",
      find: "if (updatedAt > block.timestamp || block.timestamp - updatedAt > cfg.maxAgeSec) {",
      replace: "if (updatedAt > block.timestamp) {",
    }],
  },
  {
    invariant: "INV-13",
    bug: "redemptions of assets under 18 decimals are scaled by a wrong power of ten",
    edits: [{
      file: "contracts/Reserve.sol",
      find: "amountOut = Math.mulDiv(valueWad, _unit[asset], priceWad);",
      replace: "amountOut = Math.mulDiv(valueWad, _unit[asset], priceWad) / (_unit[asset] < 1e18 ? 10 : 1);",
    }],
  },
];

const ROOT = path.resolve(__dirname, "..");
const SEED = process.env.BALLAST_FUZZ_SEED || "0xba11a57";

function forgeBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return path.join(path.dirname(require.resolve(`@foundry-rs/forge-${process.platform}-${arch}/package.json`)), "bin", "forge");
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

function prepareWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-mutation-"));
  for (const item of ["contracts", "test/foundry", "foundry.toml", "scripts/forge-solc.js"]) copyTree(path.join(ROOT, item), path.join(dir, item));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

function runCampaign(dir: string, runs: number): { status: number; failure: string } {
  const result = spawnSync(forgeBinary(), ["test", "--match-test", "invariant_", "--fuzz-seed", SEED], {
    cwd: dir,
    env: { ...process.env, FOUNDRY_PROFILE: "default", FOUNDRY_INVARIANT_RUNS: String(runs) },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${result.stdout}\n${result.stderr}`;
  const failure = /\[FAIL: ([^\]]*)\]/.exec(out)?.[1] ?? (/Error: ([^\n]*)/.exec(out)?.[1] ?? "");
  return { status: result.status ?? 1, failure };
}

function apply(dir: string, m: Mutation): Map<string, string> {
  const originals = new Map<string, string>();
  for (const edit of m.edits) {
    const file = path.join(dir, edit.file);
    const text = originals.get(file) ?? fs.readFileSync(file, "utf8");
    if (!originals.has(file)) originals.set(file, text);
    const current = fs.readFileSync(file, "utf8");
    const count = current.split(edit.find).length - 1;
    if (count !== 1) throw new Error(`${m.invariant}: pattern found ${count} times in ${edit.file}: ${edit.find}`);
    fs.writeFileSync(file, current.replace(edit.find, edit.replace));
  }
  return originals;
}

function main(): number {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1] || 0) || 128;
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  const dir = prepareWorkspace();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`mutation check in ${dir} (seed ${SEED}, ${runs} runs x depth 32)`);
  try {
    const baseline = runCampaign(dir, runs);
    if (baseline.status !== 0) {
      log(`baseline campaign fails on the unmutated contracts: ${baseline.failure}`);
      return 1;
    }
    log("baseline: campaign passes on the unmutated contracts");
    const rows: { invariant: string; bug: string; caughtBy: string[]; ok: boolean }[] = [];
    for (const m of MUTATIONS.filter((x) => !only || x.invariant === only)) {
      const originals = apply(dir, m);
      const result = runCampaign(dir, runs);
      for (const [file, text] of originals) fs.writeFileSync(file, text);
      const caughtBy = [...new Set(result.failure.match(/INV-\d+/g) ?? [])];
      const ok = result.status !== 0 && caughtBy.includes(m.invariant);
      rows.push({ invariant: m.invariant, bug: m.bug, caughtBy, ok });
      log(`${ok ? "caught  " : "SURVIVED"} ${m.invariant}: ${m.bug} -> ${result.status === 0 ? "campaign passed" : result.failure}`);
    }
    log("\n| Planted bug | Target | Caught by | Result |\n|---|---|---|---|");
    for (const r of rows) log(`| ${r.bug} | ${r.invariant} | ${r.caughtBy.join(", ") || "—"} | ${r.ok ? "caught" : "survived"} |`);
    fs.mkdirSync(path.join(ROOT, "reports"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, "reports", "mutation.json"), JSON.stringify({ seed: SEED, runs, depth: 32, rows }, null, 2));
    return rows.every((r) => r.ok) ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
