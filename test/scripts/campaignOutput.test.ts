import { expect } from "chai";
import { campaignFailures, describeFailures } from "../../scripts/campaignOutput";

const V2 = "test/foundry/invariant/Ballast.invariants.t.sol:BallastInvariants";
const V3 = "test/foundry/invariant/BallastV3.invariants.t.sol:BallastV3Invariants";

function passing(suite: string): string {
  return `Ran 1 test for ${suite}\n[PASS] invariant_protocol() (runs: 64, calls: 2048, reverts: 554)\n`;
}

function failing(suite: string, message: string, steps: string[]): string {
  const lines = steps.map((s) => `\t\tsender=0x01 addr=[h]0x02 calldata=${s}(uint256) args=[1]`);
  return (
    `Ran 1 test for ${suite}\n[FAIL: ${message}]\n\t[Sequence] (original: 5, shrunk: ${steps.length})\n` +
    `${lines.join("\n")}\n invariant_protocol() (runs: 3, calls: 70, reverts: 12)\n`
  );
}

/** forge's closing summary repeats each failure, sequence included. */
function summary(blocks: string): string {
  return `Ran 2 test suites in 24.01s: 1 tests passed, 1 failed\n\nFailing tests:\n${blocks}`;
}

describe("the mutation check reads both venues' campaign suites", function () {
  it("names the V3 suite's failure when only it fails, not the passing V2 counters", function () {
    const v3 = failing(V3, "INV-6: an operation lowered protocol value", ["pressureV3", "keeperExpand"]);
    const failures = campaignFailures(passing(V2) + v3 + summary(v3));
    expect(failures).to.have.length(1);
    expect(failures[0]).to.deep.include({ suite: V3, run: 3, call: 70, steps: ["pressureV3", "keeperExpand"] });
    expect(describeFailures(failures)).to.equal(
      "BallastV3Invariants: INV-6: an operation lowered protocol value [run 3, call 70; shrunk sequence: pressureV3 -> keeperExpand]",
    );
  });

  it("keeps each suite's own message and sequence when both fail", function () {
    const v2 = failing(V2, "INV-1: supply differs from the mint/burn ledger", ["mint"]);
    const v3 = failing(V3, "INV-2: booked amount differs from the ledger", ["lmAdd", "lmRemove"]);
    const failures = campaignFailures(v2 + v3 + summary(v2 + v3));
    expect(failures.map((f) => [f.suite, f.message.slice(0, 5), f.steps])).to.deep.equal([
      [V2, "INV-1", ["mint"]],
      [V3, "INV-2", ["lmAdd", "lmRemove"]],
    ]);
  });

  it("finds no failure when every suite passes", function () {
    expect(campaignFailures(passing(V2) + passing(V3) + "Ran 2 test suites in 1s: 2 tests passed")).to.deep.equal([]);
  });
});
