import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface IstanbulRecord {
  l: Record<string, number>;
  b: Record<string, number[]>;
  branchMap: Record<string, { line: number; type: string }>;
}
interface Count {
  hit: number;
  total: number;
}
interface Evaluation {
  files: { path: string; lines: Count; branches: Count; uncovered: string[] }[];
  total: { lines: Count; branches: Count };
  failures: string[];
}
type Report = Record<string, IstanbulRecord>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS executable
const gate = require("../../scripts/coverage-gate.js") as {
  evaluate: (report: Report, options: { min: number; root: string; protocol: string[] }) => Evaluation;
  protocolFiles: (root: string, skipFiles: string[]) => string[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the project's solidity-coverage config
const { skipFiles } = require("../../.solcover.js") as { skipFiles: string[] };

const ROOT = join(__dirname, "..", "..");
const GATE = join(ROOT, "scripts", "coverage-gate.js");

/** An istanbul record of `lines` lines (the first `linesHit` hit) and `sides` branch sides (the first `sidesHit` hit), two per `if`. */
function record(lines: number, linesHit: number, sides: number, sidesHit: number): IstanbulRecord {
  const l = Object.fromEntries(Array.from({ length: lines }, (_, i) => [String(i + 1), i < linesHit ? 3 : 0]));
  const b: Record<string, number[]> = {};
  const branchMap: Record<string, { line: number; type: string }> = {};
  for (let side = 0; side < sides; side += 2) {
    const id = String(side / 2 + 1);
    b[id] = [side, side + 1].filter((s) => s < sides).map((s) => (s < sidesHit ? 1 : 0));
    branchMap[id] = { line: 10 * (side / 2 + 1), type: "if" };
  }
  return { l, b, branchMap };
}

describe("the coverage gate (scripts/coverage-gate.js)", function () {
  describe("what it counts", function () {
    it("counts every production contract (core, venues, libraries) and none of the test helpers or bench floors", function () {
      const counted = gate.protocolFiles(ROOT, skipFiles);
      for (const file of [
        "contracts/BallastDollar.sol",
        "contracts/CollateralPolicy.sol",
        "contracts/LiquidityManager.sol",
        "contracts/MarketOperator.sol",
        "contracts/PriceOracle.sol",
        "contracts/Reserve.sol",
        "contracts/venues/MarketOperatorV3.sol",
        "contracts/venues/PositionValue.sol",
        "contracts/venues/PriceOracleV3.sol",
        "contracts/venues/UniswapV3Price.sol",
        "contracts/venues/UniswapV3Quote.sol",
        "contracts/libraries/CallerReward.sol",
        "contracts/libraries/PegMath.sol",
        "contracts/libraries/Solvency.sol",
        "contracts/libraries/ValuationMath.sol",
      ]) {
        expect(counted, file).to.include(file);
      }
      expect(counted.filter((f) => f.startsWith("contracts/test/") || f.startsWith("contracts/bench/"))).to.deep.equal(
        [],
      );
    });

    it("skips files by path prefix under contracts/, as solidity-coverage does", function () {
      const root = mkdtempSync(join(tmpdir(), "ballast-gate-"));
      for (const file of [
        "A.sol",
        "test/Mock.sol",
        "testing/B.sol",
        "bench/deep/Floor.sol",
        "venues/C.sol",
        "notes.md",
      ]) {
        mkdirSync(join(root, "contracts", file, ".."), { recursive: true });
        writeFileSync(join(root, "contracts", file), "");
      }
      expect(gate.protocolFiles(root, ["test/", "bench/"])).to.deep.equal([
        "contracts/A.sol",
        "contracts/testing/B.sol",
        "contracts/venues/C.sol",
      ]);
    });
  });

  describe("when it fails", function () {
    const protocol = ["contracts/A.sol", "contracts/B.sol", "contracts/venues/C.sol"];
    const root = "/repo";

    it("passes at exactly the bar: 95.00% of lines and of branch sides", function () {
      const report = {
        "/repo/contracts/A.sol": record(10, 10, 10, 10),
        "/repo/contracts/B.sol": record(10, 9, 10, 9),
        "/repo/contracts/venues/C.sol": record(0, 0, 0, 0),
      };
      const result = gate.evaluate(report, { min: 95, root, protocol });
      expect(result.total).to.deep.equal({ lines: { hit: 19, total: 20 }, branches: { hit: 19, total: 20 } });
      expect(result.failures).to.deep.equal([]);
      expect(result.files.map((f) => f.path)).to.deep.equal(protocol);
      expect(result.files[1].uncovered).to.deep.equal(["50 if[1]"]);
    });

    it("fails one side under the bar, naming the shortfall and the files below it with their figures, most uncovered first", function () {
      const report = {
        "/repo/contracts/A.sol": record(10, 10, 20, 19),
        "/repo/contracts/B.sol": record(10, 10, 8, 5),
        "/repo/contracts/venues/C.sol": record(20, 20, 12, 11),
      };
      const { failures } = gate.evaluate(report, { min: 95, root, protocol });
      expect(failures).to.deep.equal([
        "branches 87.50% (35/40) below 95%: 3 more branch sides needed; files below 95%, most uncovered first: " +
          "contracts/B.sol 62.50% (5/8), contracts/venues/C.sol 91.67% (11/12)",
      ]);
    });

    it("fails on lines and branches separately, each with its own figure", function () {
      const report = {
        "contracts/A.sol": record(100, 94, 100, 90),
        "contracts/B.sol": record(1, 1, 0, 0),
        "contracts/venues/C.sol": record(1, 1, 0, 0),
      };
      const { failures } = gate.evaluate(report, { min: 95, root, protocol });
      expect(failures).to.deep.equal([
        "lines 94.12% (96/102) below 95%: 1 more lines needed; files below 95%, most uncovered first: contracts/A.sol 94.00% (94/100)",
        "branches 90.00% (90/100) below 95%: 5 more branch sides needed; files below 95%, most uncovered first: contracts/A.sol 90.00% (90/100)",
      ]);
    });

    it("fails when a protocol contract has no record, even with every counted side covered", function () {
      const report = { "/repo/contracts/A.sol": record(10, 10, 4, 4), "/repo/contracts/B.sol": record(3, 3, 2, 2) };
      const { failures } = gate.evaluate(report, { min: 95, root, protocol });
      expect(failures).to.deep.equal([
        "contracts/venues/C.sol is a protocol contract with no record in the report: it was not measured",
      ]);
    });

    it("fails on a report that measured nothing instead of calling it 100%", function () {
      const { failures } = gate.evaluate({}, { min: 95, root, protocol: [] });
      expect(failures).to.deep.equal(["the report measures no protocol line: nothing was instrumented"]);
    });
  });

  describe("the command", function () {
    /** A report with a record for each of the repository's protocol files, all covered but `low` (3 of 8 sides). */
    function writeReport(low: string): string {
      const dir = mkdtempSync(join(tmpdir(), "ballast-gate-"));
      const report = Object.fromEntries(
        gate
          .protocolFiles(ROOT, skipFiles)
          .map((f) => [join(ROOT, f), f === low ? record(10, 10, 8, 3) : record(50, 50, 4, 4)]),
      );
      const file = join(dir, "coverage.json");
      writeFileSync(file, JSON.stringify(report));
      return file;
    }

    const run = (...args: string[]) => spawnSync(process.execPath, [GATE, ...args], { cwd: ROOT, encoding: "utf8" });

    it("exits 1 and names the file and its figure on stderr when branches fall under the bar", function () {
      const result = run("--file", writeReport("contracts/Reserve.sol"), "--min", "99");
      expect(result.status).to.equal(1);
      expect(result.stderr).to.match(
        /coverage-gate: branches 9\d\.\d\d% \(\d+\/\d+\) below 99%: \d+ more branch sides needed/,
      );
      expect(result.stderr).to.include("contracts/Reserve.sol 37.50% (3/8)");
      expect(result.stdout).to.include("uncovered branch contracts/Reserve.sol:30 if[1]");
    });

    it("exits 0 when both figures clear the bar, and says what it left out", function () {
      const result = run("--file", writeReport("contracts/Reserve.sol"), "--min", "95");
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.include("contracts/ but test/, bench/");
      expect(result.stdout).to.include("coverage-gate: lines and branches at or above 95%");
    });

    it("exits 2 on a bad bar or a missing report", function () {
      expect(run("--min", "101").stderr).to.include("--min must be a percentage in [0, 100], got 101");
      const missing = run("--file", join(tmpdir(), "no-such-coverage.json"));
      expect([missing.status, missing.stderr.trim()]).to.deep.equal([
        2,
        `coverage-gate: ${join(tmpdir(), "no-such-coverage.json")} not found; run \`hardhat coverage\` first`,
      ]);
    });
  });
});
