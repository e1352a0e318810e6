import { expect } from "chai";
import { SimInputError, parsePolicies, parseSeeds, parseWorkers } from "../../keeper/sim/inputs";
import {
  applySetting,
  defaultSweepBase,
  isDefaultSetting,
  parseSweep,
  settingLabel,
  sweepParameters,
} from "../../keeper/sim/sweep";

function failsOn(fn: () => unknown, field: string, text?: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `must fail on ${field}`).to.be.instanceOf(SimInputError);
  expect((error as SimInputError).field).to.equal(field);
  if (text) expect((error as SimInputError).message).to.contain(text);
}

describe("Sweeps and command-line inputs", function () {
  it("a range a:b:step lists a, a + step, … up to b", function () {
    expect(parseSweep(["band=20:80:30"]).settings).to.deep.equal([{ band: 20 }, { band: 50 }, { band: 80 }]);
    expect(parseSweep(["band=20:70:30"]).settings).to.deep.equal([{ band: 20 }, { band: 50 }]);
    expect(parseSweep(["hysteresis=5:5:1"]).settings).to.deep.equal([{ hysteresis: 5 }]);
    expect(parseSweep(["keeper.slippageBps=25:75:25"]).settings.map((s) => s["keeper.slippageBps"])).to.deep.equal([
      25, 50, 75,
    ]);
    // Float steps land on round values, not 0.30000000000000004.
    expect(parseSweep(["policy.minRatioWad=1:1.3:0.1"]).settings.map((s) => s["policy.minRatioWad"])).to.deep.equal([
      1, 1.1, 1.2, 1.3,
    ]);
  });

  it("several sweeps run their product", function () {
    const s = parseSweep(["band=30:50:20", "cooldown=60:120:60"]);
    expect(s.settings).to.deep.equal([
      { band: 30, cooldown: 60 },
      { band: 30, cooldown: 120 },
      { band: 50, cooldown: 60 },
      { band: 50, cooldown: 120 },
    ]);
    expect(settingLabel(s.settings[1])).to.equal("band=30 bps, cooldown=120 s");
  });

  it("the parameters are discovered from the operator, the collateral policy and the keeper's DecisionParams", function () {
    const known = sweepParameters();
    for (const name of [
      "band",
      "cooldown",
      "hysteresis",
      "feeCap",
      "feeCapPerBps",
      "gasBudget",
      "minValueOverGas",
      "operator.bandBps",
      "operator.limits.cooldownSec",
      "policy.stepWad",
      "keeper.hysteresisBps",
      "keeper.feeCap.maxWei",
    ]) {
      expect(known.has(name), name).to.equal(true);
    }
    expect(known.get("band")?.defaultValue).to.equal(30); // the frontier's choice (deploy/parameters.ts)
    expect(known.get("feeCap")?.defaultValue).to.equal(2000);
  });

  it("a setting changes exactly its parameter, in the model's units, and leaves the base alone", function () {
    const base = defaultSweepBase();
    const applied = applySetting({ band: 40, feeCap: 50, cooldown: 120, "policy.minRatioWad": 1.05 }, base);
    expect(applied.config.operator.bandBps).to.equal(40n);
    expect(applied.config.operator.limits.cooldownSec).to.equal(120n);
    expect(applied.decision.feeCap.maxWei).to.equal(50_000_000_000n);
    expect(applied.config.policy.minRatioWad).to.equal(1_050_000_000_000_000_000n);
    expect(base.config.operator.bandBps).to.equal(30n);
    expect(applied.decision.hysteresisBps).to.equal(base.decision.hysteresisBps);
    expect(isDefaultSetting({ band: 30 })).to.equal(true);
    expect(isDefaultSetting({ band: 50 })).to.equal(false);
  });

  it("bad sweeps fail naming the parameter: unknown, empty range, step ≤ 0, not numbers, fractions of a whole unit", function () {
    failsOn(() => parseSweep(["bandwidth=1:2:1"]), "--sweep bandwidth", 'unknown parameter "bandwidth"');
    failsOn(() => parseSweep(["band=80:20:10"]), "--sweep band", "empty range");
    failsOn(() => parseSweep(["band=20:80:0"]), "--sweep band", "step must be > 0");
    failsOn(() => parseSweep(["band=20:80:-5"]), "--sweep band", "step must be > 0");
    failsOn(() => parseSweep(["band=twenty:80:10"]), "--sweep band", "numbers");
    failsOn(() => parseSweep(["band=20:80"]), "--sweep band");
    failsOn(() => parseSweep(["band"]), "--sweep band", "expected <param>=");
    failsOn(() => parseSweep(["band=20.5:30:1"]), "--sweep band", "whole number");
    failsOn(() => parseSweep(["band=-10:30:10"]), "--sweep band", "≥ 0");
    failsOn(() => parseSweep(["band=10:30:10", "operator.bandBps=5:6:1"]), "--sweep operator.bandBps", "swept twice");
  });

  it("seeds below one, bad worker counts and unknown policies fail naming the option", function () {
    expect(parseSeeds("12")).to.equal(12);
    failsOn(() => parseSeeds("0"), "--seeds", "≥ 1");
    failsOn(() => parseSeeds("-3"), "--seeds");
    failsOn(() => parseSeeds("2.5"), "--seeds", "whole number");
    failsOn(() => parseSeeds("many"), "--seeds");
    expect(parseWorkers("0")).to.equal(0);
    failsOn(() => parseWorkers("-1"), "--workers");
    expect(parsePolicies(["psm", "ballast", "psm"])).to.deep.equal(["psm", "ballast"]);
    failsOn(() => parsePolicies(["ballast", "makerdao"]), "--policy", '"makerdao"');
  });
});
