/** `status` output from a real snapshot, and /healthz turning 503 when cycles stop. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { addressBookOf, deploySystemFixture } from "../../support/system";
import { connectProtocol } from "../../../keeper/src/chain/protocol";
import { readProtocolStatus } from "../../../keeper/src/chain/statusReader";
import { renderStatus } from "../../../keeper/src/status";
import { Action, Blocker } from "../../../keeper/src/policy";
import { createHttpServer, healthzHandler, metricsHandler } from "../../../keeper/src/http/server";
import { createMetrics } from "../../../keeper/src/metrics";

describe("keeper status and health", function () {
  it("status --json carries the documented status fields from one snapshot and its detail at the same block", async function () {
    const f = await loadFixture(deploySystemFixture);
    const book = await addressBookOf(f);
    const protocol = await connectProtocol(book, ethers.provider);
    const st = await readProtocolStatus(ethers.provider as never, protocol, book, {
      network: "hardhat",
      chainId: 31337,
    });
    const at = { blockTag: st.blockNumber };
    expect(st.spotPrice).to.equal((await f.oracle.marketPrice(at))[0].toString());
    expect(st.deviationBps).to.equal(0);
    expect(st.supply).to.equal((await f.stable.totalSupply(at)).toString());
    expect(st.collateralRatio).to.equal((await f.reserve.collateralRatio(at)).toString());
    expect(st.targetRatio).to.equal((await f.policy.targetRatio(at)).toString());
    expect(st.assets.map((x) => x.symbol)).to.deep.equal(["USDC", "WETH"]);
    expect(
      st.assets.every((a) => a.priceStatus === "ok" && a.feed.valid && a.feed.ageSec <= a.feed.maxAgeSec),
    ).to.equal(true);
    expect(st.paused).to.deep.equal({ minting: false, redemptions: false, operations: false });
    expect(st.pool.venue).to.equal("v2");
    expect(st.cooldowns.policyRefreshReadyInSec).to.be.a("number");
    const preview = await f.operator.preview(at);
    expect(st.operator).to.deep.equal({
      action: Action[Number(preview.action)],
      blocker: Blocker[Number(preview.blocker)],
      amount: preview.amount.toString(),
      expectedOut: preview.expectedOut.toString(),
    });
    expect(st.warnings).to.deep.equal([]);
    expect(JSON.parse(JSON.stringify(st))).to.deep.equal(st);
    const text = renderStatus(st);
    expect(text).to.match(/^Ballast on hardhat \(chain 31337\), block \d+ at \d{4}-/);
    expect(text).to.match(/pool spot\s+\$1\n/);
    expect(text).to.match(/deviation from peg\s+0 bps \(band ±\d+ bps\)/);
    expect(text).to.match(/WETH\s+[\d,.]+\s+\$3,?000\s+\d+%\s+\$[\d,.]+\s+\d+ s old \(max \d+(\.\d)? (h|min)\)\n/);
  });

  it("/healthz: 200 while cycles complete, 503 once none completed within the bound; extra routes can be registered", async function () {
    let now = 1_000_000;
    let last: number | null = null;
    const health = { lastCycleAtMs: () => last, startedAtMs: () => 1_000_000 };
    const server = createHttpServer();
    server.route(
      "/healthz",
      healthzHandler(health, 30, () => now),
    );
    server.route("/metrics", metricsHandler(createMetrics({ defaultMetrics: false }).registry));
    server.route("/status.json", () => ({ status: 200, contentType: "application/json", body: '{"ok":true}' }));
    const { port } = await server.listen(0, "127.0.0.1");
    const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`);
    try {
      expect((await get("/healthz")).status).to.equal(200); // inside the start-up grace
      now += 31_000;
      expect((await get("/healthz")).status).to.equal(503); // never completed a cycle
      last = now - 5_000;
      expect((await get("/healthz")).status).to.equal(200);
      now += 40_000;
      const stale = await get("/healthz");
      expect(stale.status).to.equal(503);
      expect(await stale.json()).to.include({ status: "stale", maxAgeSec: 30 });
      expect(await (await get("/metrics")).text()).to.include("# TYPE ballast_peg_deviation_bps gauge");
      expect(await (await get("/status.json")).json()).to.deep.equal({ ok: true });
      expect((await get("/nope")).status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});
