/**
 * The status routes on the keeper's real HTTP server (keeper/src/http/server.ts): the page and its
 * assets are served locally (chart.js from node_modules), `/api/status` returns the model's view,
 * a long poll answers as soon as the model changes (and not before), a bad `after` is a 400.
 */
import { expect } from "chai";
import { createHttpServer, type KeeperHttpServer } from "../../../keeper/src/http/server";
import { StatusModel, registerStatusRoutes } from "../../../keeper/src/statusPage";

describe("status page: routes on the keeper HTTP server", function () {
  let server: KeeperHttpServer;
  let base: string;
  let model: StatusModel;

  before(async function () {
    model = new StatusModel({
      network: "test",
      chainId: 1,
      tokenSymbol: "BLD",
      quoteSymbol: "USDC",
      quoteDecimals: 6,
      dryRun: true,
    });
    server = createHttpServer();
    registerStatusRoutes(server, model, { waitMs: 1_500 });
    const { port } = await server.listen(0, "127.0.0.1");
    base = `http://127.0.0.1:${port}`;
  });

  after(async function () {
    await server.close();
  });

  it("serves the page, its script, styles and chart.js with the right content types", async function () {
    const page = await fetch(`${base}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    const html = await page.text();
    expect(html).to.contain('<script src="/status/chart.umd.js">');
    expect(html).to.not.match(/https?:\/\//, "no absolute URL: nothing loads from another host");
    for (const asset of ["/status/app.js", "/status/charts.js", "/status/chart.umd.js", "/status/style.css"]) {
      const res = await fetch(`${base}${asset}`);
      expect(res.status, asset).to.equal(200);
      expect(res.headers.get("content-type"), asset).to.match(
        asset.endsWith(".css") ? /^text\/css/ : /^text\/javascript/,
      );
      expect((await res.text()).length, asset).to.be.greaterThan(500);
    }
    expect(await (await fetch(`${base}/status/chart.umd.js`)).text()).to.not.contain("sourceMappingURL");
  });

  it("returns the view with its version, and a long poll waits for the next change", async function () {
    const first = (await (await fetch(`${base}/api/status`)).json()) as {
      version: number;
      status: { ready: boolean; network: string };
    };
    expect(first.status).to.include({ ready: false, network: "test" });

    const t0 = Date.now();
    const pending = fetch(`${base}/api/status?after=${first.version}`).then(
      (r) => r.json() as Promise<{ version: number; status: { keeper: { failedCycles: number } } }>,
    );
    await new Promise((r) => setTimeout(r, 300));
    model.observeCycleFailure("connect ECONNREFUSED", Date.now());
    const changed = await pending;
    expect(changed.version).to.equal(first.version + 1);
    expect(changed.status.keeper.failedCycles).to.equal(1);
    expect(Date.now() - t0).to.be.within(250, 1_400, "answered on the change, not at the timeout");

    // No change: the poll returns the same version after waitMs.
    const t1 = Date.now();
    const same = (await (await fetch(`${base}/api/status?after=${changed.version}`)).json()) as { version: number };
    expect(same.version).to.equal(changed.version);
    expect(Date.now() - t1).to.be.at.least(1_400);

    // Already behind: answers at once.
    const t2 = Date.now();
    await fetch(`${base}/api/status?after=0`);
    expect(Date.now() - t2).to.be.lessThan(1_000);
  });

  it("rejects a malformed version with 400 naming the parameter", async function () {
    for (const bad of ["-1", "abc", "1e3", "9".repeat(20)]) {
      const res = await fetch(`${base}/api/status?after=${encodeURIComponent(bad)}`);
      expect(res.status, bad).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.match(/^after must be/);
    }
  });
});
