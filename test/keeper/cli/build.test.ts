/**
 * The daemon ships as built: `npm run keeper` and the systemd unit run `node dist/keeper/src/main.js`,
 * compiled by keeper/tsconfig.build.json from keeper/src and only the TypeChain bindings it uses.
 * The built tree must hold nothing from the simulator, deploy/, scripts/ or test/ (not even a test
 * contract's binding), and carry the status page's static files it serves.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { KEEPER_MAIN, ROOT, ensureKeeperBuilt } from "../../../scripts/lib/keeperProcess";

const DIST = path.join(ROOT, "dist");

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith(".js") ? [path.join(dir, e.name)] : [],
  );
}

describe("keeper build (dist/)", function () {
  this.timeout(240_000);
  before(() => ensureKeeperBuilt());

  it("holds the daemon, the bindings it uses and the status page's files; nothing from sim, deploy, scripts or test", function () {
    expect(existsSync(KEEPER_MAIN)).to.equal(true);
    for (const asset of ["index.html", "app.js", "charts.js", "style.css"])
      expect(existsSync(path.join(DIST, "keeper/src/statusPage/public", asset)), asset).to.equal(true);
    const files = jsFiles(DIST).map((f) => path.relative(DIST, f));
    const outside = files.filter(
      (f) => !f.startsWith(`keeper${path.sep}src${path.sep}`) && !f.startsWith(`typechain-types${path.sep}`),
    );
    expect(outside, "only keeper/src and typechain-types are built").to.deep.equal([]);
    expect(
      files.filter((f) => /[\\/]test[\\/]|[\\/]bench[\\/]/.test(f)),
      "no test or bench contract bindings",
    ).to.deep.equal([]);
    // Every package the built daemon requires is a runtime dependency, not a devDependency.
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const required = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(path.join(DIST, f), "utf8").matchAll(/require\("([^".][^"]*)"\)/g))
        if (!m[1].startsWith("node:")) required.add(m[1].split("/")[0]);
    }
    expect(
      [...required].filter((name) => !(name in pkg.dependencies)),
      "required but not in dependencies",
    ).to.deep.equal([]);
    expect(Object.keys(pkg.dependencies)).to.include.members(["ethers", "better-sqlite3", "chart.js"]);
  });

  it("npm run keeper runs the built daemon and prints only the daemon's output; the systemd unit runs the same file", function () {
    const run = spawnSync("npm", ["run", "--silent", "keeper", "--", "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.startsWith("Usage: ballast-keeper"), run.stdout).to.equal(true);
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.keeper).to.match(/&& node dist\/keeper\/src\/main\.js$/);
    const unit = readFileSync(path.join(ROOT, "keeper/systemd/ballast-keeper.service"), "utf8");
    expect(/^ExecStart=(\S+) (\S+) run /m.exec(unit)?.slice(1)).to.deep.equal([
      "/usr/bin/node",
      path.relative(ROOT, KEEPER_MAIN),
    ]);
  });
});
