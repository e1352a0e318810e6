import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MUTATIONS } from "../../scripts/mutations";

const ROOT = join(__dirname, "..", "..");

// The mutation check plants each bug by an exact text edit; a contract refactor that changes the
// text would retire the bug without anyone noticing (the run only fails when someone runs it).
describe("the mutation check's planted bugs still have their targets in the contracts", function () {
  it("covers every invariant once or more, each with a distinct bug", function () {
    expect(MUTATIONS.length).to.be.greaterThan(10);
    expect(new Set(MUTATIONS.map((m) => m.bug)).size).to.equal(MUTATIONS.length);
  });

  for (const m of MUTATIONS) {
    it(`${m.invariant}: ${m.bug}`, function () {
      for (const edit of m.edits) {
        const text = readFileSync(join(ROOT, edit.file), "utf8");
        expect(
          text.split(edit.find).length - 1,
          `occurrences of ${JSON.stringify(edit.find)} in ${edit.file}`,
        ).to.equal(1);
        expect(edit.replace, "the edit changes the text").to.not.equal(edit.find);
      }
      if (m.checker) expect(readFileSync(join(ROOT, m.checker.hardhatTest), "utf8").length).to.be.greaterThan(0);
    });
  }
});
