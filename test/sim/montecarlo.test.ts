import { expect } from "chai";
import { loadScenario, plan, runScenario, summarise } from "../../keeper/sim";
import { aggregate } from "../../keeper/sim/aggregate";
import { deriveSeed, monteCarloTasks, runTask, runTasks } from "../../keeper/sim/montecarlo";
import { meanCi95 } from "../../keeper/sim/stats";

describe("Monte Carlo runs", function () {
  this.timeout(180_000);
  const short = { ...loadScenario("selloff"), blocks: 400 };

  it("seed 0 is the scenario's own seed; the others are distinct and fixed", function () {
    expect(deriveSeed(12, 0)).to.equal(12);
    const seeds = Array.from({ length: 12 }, (_, i) => deriveSeed(12, i));
    expect(new Set(seeds).size).to.equal(12);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32)).to.equal(true);
    expect(deriveSeed(12, 5)).to.equal(seeds[5]);
    expect(deriveSeed(13, 1)).to.not.equal(deriveSeed(12, 1));
  });

  it("a seed run in a worker thread gives the same summary as in this thread, bit for bit", async function () {
    const tasks = monteCarloTasks(plan([short], ["ballast", "pegkeeper"]), 3);
    const inWorkers = await runTasks(tasks, { workers: 2 });
    const inProcess = await runTasks(tasks, { workers: 0 });
    expect(inWorkers.map((r) => r.task.id)).to.deep.equal(tasks.map((t) => t.id));
    expect(inWorkers.map((r) => r.summary)).to.deep.equal(inProcess.map((r) => r.summary));
    // And seed 0 is the plain single run of the scenario file.
    expect(inWorkers[0].summary).to.deep.equal(summarise(runScenario(short, "ballast")));
    // Other seeds draw other noise.
    expect(inWorkers[1].summary.rmsBps).to.not.equal(inWorkers[0].summary.rmsBps);
  });

  it("progress counts every block of every run once", async function () {
    const tasks = monteCarloTasks(plan([short], ["psm"]), 2);
    let last = 0;
    let total = 0;
    await runTasks(tasks, { workers: 1, onProgress: (done, all) => ((last = done), (total = all)) });
    expect(total).to.equal(800);
    expect(last).to.equal(800);
  });

  it("rows hold the mean and CI of each metric over seeds, and cost per bps removed against none", function () {
    const results = monteCarloTasks(plan([short], ["ballast", "none", "ideal"]), 3).map((t) => runTask(t));
    const rows = aggregate(results);
    const ballast = rows.find((r) => r.policy === "ballast");
    const none = rows.find((r) => r.policy === "none");
    expect(ballast?.seeds).to.equal(3);
    const rms = results.filter((r) => r.task.policy === "ballast").map((r) => r.summary.rmsBps);
    expect(ballast?.mean.rmsBps).to.be.closeTo(meanCi95(rms).mean, 1e-12);
    expect(ballast?.ci95.rmsBps).to.be.closeTo(meanCi95(rms).ci95 as number, 1e-12);
    const dCost = results
      .filter((r) => r.task.policy === "ballast")
      .map((r, i) => r.summary.totalCostUsd - (none as NonNullable<typeof none>).perSeed[i].totalCostUsd);
    const dRms = rms.map((x, i) => (none as NonNullable<typeof none>).perSeed[i].rmsBps - x);
    const expected = dCost.reduce((a, x) => a + x, 0) / dRms.reduce((a, x) => a + x, 0);
    if (dRms.reduce((a, x) => a + x, 0) > 0) expect(ballast?.mean.costPerBpsRemovedUsd).to.be.closeTo(expected, 1e-9);
    else expect(ballast?.mean.costPerBpsRemovedUsd).to.equal(null);
    expect(none?.mean.costPerBpsRemovedUsd).to.equal(null);
    expect(rows.find((r) => r.policy === "ideal")?.unconstrained).to.equal(true);
    expect(ballast?.unconstrained).to.equal(false);
    expect(ballast?.minCollateralRatioEs5).to.equal(
      Math.min(...(ballast?.perSeed.map((s) => s.minCollateralRatio as number) ?? [])),
    );
  });
});
