import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS executable
const { pruneOrphans } = require("../../scripts/build-keeper.js") as {
  pruneOrphans: (src: string, out: string, skip?: Set<string>) => string[];
};

function touch(file: string): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, "");
}

describe("build:keeper prunes compiled files whose source is gone", function () {
  it("removes a deleted module's .js/.map/.d.ts (a stale status.js would shadow status/index.js), keeps live ones and skipped folders", function () {
    const root = mkdtempSync(join(tmpdir(), "ballast-build-"));
    const src = join(root, "src");
    const out = join(root, "dist");
    touch(join(src, "main.ts"));
    touch(join(src, "status", "index.ts"));
    for (const f of [
      "main.js",
      "main.js.map",
      "status.js",
      "status.js.map",
      "status.d.ts",
      "status/index.js",
      "gone/old.js",
      "public/app.js",
    ])
      touch(join(out, f));

    const removed = pruneOrphans(src, out, new Set([join(out, "public")]));

    expect(removed.map((p) => p.slice(out.length + 1)).sort()).to.deep.equal([
      "gone/old.js",
      "status.d.ts",
      "status.js",
      "status.js.map",
    ]);
    expect(existsSync(join(out, "main.js"))).to.equal(true);
    expect(existsSync(join(out, "status", "index.js"))).to.equal(true);
    expect(existsSync(join(out, "public", "app.js")), "the copied static files are not compiled output").to.equal(true);
    expect(existsSync(join(out, "gone")), "an emptied folder goes too").to.equal(false);
  });

  it("does nothing before the first build (no output folder)", function () {
    expect(pruneOrphans(join(tmpdir(), "nope-src"), join(tmpdir(), "nope-out-ballast"))).to.deep.equal([]);
  });
});
