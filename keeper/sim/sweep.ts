/**
 * Parameter sweeps over Ballast's own settings: `--sweep <param>=<a>:<b>:<step>`. The parameters
 * are discovered from the objects the model runs with, so a field added to the operator, the
 * collateral policy or the keeper's DecisionParams is sweepable without touching this file:
 *   operator.*  the MarketOperator model (band, spot/TWAP guard, caps, cooldown, epoch)
 *   policy.*    the CollateralPolicy model (ratio bounds, step, band, risk weight, cooldown)
 *   keeper.*    the keeper's DecisionParams (hysteresis, slippage, profit over gas, fee caps…)
 * plus short aliases in their usual unit (band, cooldown, hysteresis, feeCap in gwei…).
 */
import { SIM_PARAMS, SIM_PARAMS_V3 } from "../../deploy/parameters";
import type { DecisionParams } from "../src/policy";
import { type BallastConfig, ballastConfigFrom } from "./ballastReserve";
import { SimInputError } from "./inputs";
import type { VenueKind } from "./market";
import { defaultDecisionParams } from "./policies/ballast";

/** One sweep point: parameter name → value in the parameter's unit. */
export type SweepSetting = Readonly<Record<string, number>>;

export interface SweepParam {
  name: string;
  /** Dotted path under operator / policy / keeper. */
  path: string;
  /** The value is stored × 10^decimals (WAD amounts: 18, gwei as wei: 9). */
  decimals: number;
  unit: string;
  kind: "number" | "bigint";
  /** The value the model runs with when not swept, in the parameter's unit. */
  defaultValue: number;
}

export interface SweepBase {
  config: BallastConfig;
  decision: DecisionParams;
}

export const defaultSweepBase = (): SweepBase => ({
  config: ballastConfigFrom(SIM_PARAMS),
  decision: defaultDecisionParams(),
});

/** The sweep's base on a venue: Ballast's simulator parameters for that venue. */
export const sweepBaseFor = (venue: VenueKind): SweepBase =>
  venue === "v3" ? { config: ballastConfigFrom(SIM_PARAMS_V3), decision: defaultDecisionParams() } : defaultSweepBase();

const ALIASES: Record<string, { path: string; decimals?: number; unit?: string }> = {
  band: { path: "operator.bandBps" },
  cooldown: { path: "operator.limits.cooldownSec" },
  spotTwapGuard: { path: "operator.maxSpotTwapDeviationBps" },
  hysteresis: { path: "keeper.hysteresisBps" },
  slippage: { path: "keeper.slippageBps" },
  minValueOverGas: { path: "keeper.minValueOverGasBps" },
  feeCap: { path: "keeper.feeCap.maxWei", decimals: 9, unit: "gwei" },
  feeCapPerBps: { path: "keeper.feeCap.weiPerBps", decimals: 9, unit: "gwei" },
  gasBudget: { path: "keeper.dailyGasBudgetWad", decimals: 18, unit: "USD/day" },
};

/** WAD fields and the operator's token caps are stored with 18 decimals; given in whole units. */
const decimalsOf = (leaf: string): number =>
  /Wad$/.test(leaf) || /^max(Expansion|Contraction)Per(Op|Epoch)$/.test(leaf) ? 18 : 0;

function unitOf(leaf: string): string {
  if (/Bps$/.test(leaf)) return "bps";
  if (/Sec$/.test(leaf)) return "s";
  if (/Wei$/.test(leaf)) return "wei";
  if (/Wad$/.test(leaf)) return "WAD";
  return decimalsOf(leaf) === 18 ? "tokens" : "";
}

const roots = (b: SweepBase): Record<string, unknown> => ({
  operator: b.config.operator,
  policy: b.config.policy,
  keeper: b.decision,
});

function scaledToNumber(v: number | bigint, decimals: number): number {
  return typeof v === "bigint" ? Number(v) / 10 ** decimals : v / 10 ** decimals;
}

/** Every sweepable parameter: each number or bigint field under the roots, then the aliases. */
export function sweepParameters(base: SweepBase = defaultSweepBase()): Map<string, SweepParam> {
  const params = new Map<string, SweepParam>();
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === "number" || typeof node === "bigint") {
      const leaf = path[path.length - 1];
      const decimals = decimalsOf(leaf);
      const name = path.join(".");
      params.set(name, {
        name,
        path: name,
        decimals,
        unit: unitOf(leaf),
        kind: typeof node === "bigint" ? "bigint" : "number",
        defaultValue: scaledToNumber(node, decimals),
      });
    } else if (node !== null && typeof node === "object" && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    }
  };
  walk(roots(base), []);
  for (const [alias, a] of Object.entries(ALIASES)) {
    const target = params.get(a.path);
    if (!target) continue;
    const decimals = a.decimals ?? target.decimals;
    const raw = readPath(roots(base), a.path) as number | bigint;
    params.set(alias, {
      ...target,
      name: alias,
      decimals,
      unit: a.unit ?? target.unit,
      defaultValue: scaledToNumber(raw, decimals),
    });
  }
  return params;
}

function readPath(root: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], root);
}

/** A value in the parameter's unit → what the model stores (exact for up to 6 decimal places). */
function toStored(p: SweepParam, value: number): number | bigint {
  if (p.kind === "number") return value * 10 ** p.decimals;
  const micro = Math.round(value * 1e6);
  if (Math.abs(value * 1e6 - micro) > 1e-6 * Math.max(1, Math.abs(micro)))
    throw new SimInputError(`--sweep ${p.name}`, `${value} has more than 6 decimal places`);
  const stored =
    p.decimals >= 6
      ? BigInt(micro) * 10n ** BigInt(p.decimals - 6)
      : (BigInt(micro) * 10n ** BigInt(p.decimals)) / 1_000_000n;
  if (p.decimals < 6 && stored * 1_000_000n !== BigInt(micro) * 10n ** BigInt(p.decimals)) {
    throw new SimInputError(`--sweep ${p.name}`, `${value} is not a whole number of ${p.unit || "units"}`);
  }
  return stored;
}

export interface SweepSpec {
  params: SweepParam[];
  /** The cartesian product of every parameter's values, in order. */
  settings: SweepSetting[];
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Parses `param=a:b:step` specs (several: their product). Throws SimInputError naming the bad part. */
export function parseSweep(specs: readonly string[], base: SweepBase = defaultSweepBase()): SweepSpec {
  const known = sweepParameters(base);
  const axes: { param: SweepParam; values: number[] }[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const name = eq < 0 ? spec.trim() : spec.slice(0, eq).trim();
    const field = `--sweep ${name || spec}`;
    if (eq < 0) throw new SimInputError(field, `expected <param>=<a>:<b>:<step>, got "${spec}"`);
    const param = known.get(name);
    if (!param) throw new SimInputError(field, `unknown parameter "${name}" (known: ${[...known.keys()].join(", ")})`);
    if (axes.some((a) => a.param.path === param.path)) throw new SimInputError(field, "swept twice");
    const parts = spec
      .slice(eq + 1)
      .split(":")
      .map((x) => x.trim());
    if (parts.length !== 3 || !parts.every((x) => NUMBER.test(x)))
      throw new SimInputError(field, `expected <a>:<b>:<step> numbers, got "${spec.slice(eq + 1)}"`);
    const [a, b, step] = parts.map(Number);
    if (!(step > 0)) throw new SimInputError(field, `step must be > 0, got ${step}`);
    if (a > b) throw new SimInputError(field, `empty range: ${a} > ${b}`);
    if (a < 0) throw new SimInputError(field, `must be ≥ 0, got ${a}`);
    const count = Math.floor((b - a) / step + 1e-9) + 1;
    if (count > 1000) throw new SimInputError(field, `${count} values: at most 1000`);
    const values = Array.from({ length: count }, (_, k) => Number((a + k * step).toPrecision(12)));
    for (const v of values) toStored(param, v);
    axes.push({ param, values });
  }
  let settings: Record<string, number>[] = [{}];
  for (const axis of axes) settings = settings.flatMap((s) => axis.values.map((v) => ({ ...s, [axis.param.name]: v })));
  return { params: axes.map((a) => a.param), settings: axes.length === 0 ? [] : settings };
}

/** The configuration and decision parameters a setting runs with (fresh copies; the base is untouched). */
export function applySetting(setting: SweepSetting, base: SweepBase = defaultSweepBase()): SweepBase {
  const known = sweepParameters(base);
  const copy = structuredClone(base);
  const r = roots(copy);
  for (const [name, value] of Object.entries(setting)) {
    const p = known.get(name);
    if (!p) throw new SimInputError(`--sweep ${name}`, "unknown parameter");
    const keys = p.path.split(".");
    const parent = readPath(r, keys.slice(0, -1).join(".")) as Record<string, unknown>;
    parent[keys[keys.length - 1]] = toStored(p, value);
  }
  return copy;
}

/** Whether a setting is the model's defaults (its runs equal the plain `ballast` runs). */
export function isDefaultSetting(setting: SweepSetting, base: SweepBase = defaultSweepBase()): boolean {
  const known = sweepParameters(base);
  return Object.entries(setting).every(([name, v]) => known.get(name)?.defaultValue === v);
}

/** "band=30 bps, cooldown=60 s". */
export function settingLabel(setting: SweepSetting, base: SweepBase = defaultSweepBase()): string {
  const known = sweepParameters(base);
  return Object.entries(setting)
    .map(([name, v]) => `${name}=${v}${known.get(name)?.unit ? ` ${known.get(name)?.unit}` : ""}`)
    .join(", ");
}
