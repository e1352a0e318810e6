/**
 * The model of Ballast's Reserve and CollateralPolicy: the same integer formulas as
 * contracts/Reserve.sol (haircut value, mint at the haircut value minus the fee or, in the quote
 * asset's stable lane, at min(feed, 1) minus the lane fee; redeem at the peg minus the fee and the
 * spread, or in the lane 1:1 minus the lane fee when that pays more, pro-rata on gross value below 100%; recovery fees, buffer and
 * strategy) and the target ratio step (keeper/src/policy computeTargetRatio, the mirror of
 * CollateralPolicy). Not modelled: the oracle's degraded mode (an invalid feed counts as zero
 * here, as an unpriced asset does on chain) and the degraded-mode redemption cap.
 */
// From the modules themselves, not the policy index: its re-export getters sit on the hot path.
import { computeTargetRatio, riskFloorWad, type PolicyParams } from "../src/policy/collateralPolicy";
import { twapStale, type OperatorLimits } from "../src/policy/operator";
import { BPS, PEG_WAD, WAD, max, min, mulDiv } from "../src/policy/units";
import type { BallastParams, CollateralParams } from "../../deploy/parameters";
import { type Asset, type FeedConfig, type Market, QUOTE_UNIT, TOKEN_UNIT, WETH_UNIT } from "./market";

export interface AssetConfig {
  unit: bigint;
  haircutBps: bigint;
  mintFeeBps: bigint;
  redeemFeeBps: bigint;
  bufferBps: bigint;
  ceiling: bigint;
  hasStrategy: boolean;
  /** Redemption spread outside a stable lane, bps (at least MIN_REDEEM_SPREAD_BPS). */
  spreadBps: bigint;
  lane: { bandBps: bigint; baseFeeBps: bigint; maxShareBps: bigint; volumePerEpoch: bigint } | null;
}

/** Constants.sol: MIN_REDEEM_SPREAD_BPS and RESERVE_EPOCH_SEC. */
const MIN_REDEEM_SPREAD_BPS = 50n;
const RESERVE_EPOCH_SEC = 86_400n;

export interface BallastConfig {
  assets: Record<Asset, AssetConfig>;
  feeds: Record<Asset, Omit<FeedConfig, "deviationBps" | "heartbeatSec">>;
  recoveryMintFeeBps: bigint;
  recoveryRedeemFeeBps: bigint;
  bufferToleranceBps: bigint;
  policy: PolicyParams;
  operator: {
    bandBps: bigint;
    maxSpotTwapDeviationBps: bigint;
    limits: OperatorLimits;
    /** MarketOperator.setSizing: minimum share of the full trade (bps), loss budget (bps) and its epoch cap (WAD USD). */
    sizing: { minOperationShareBps: bigint; maxLossBps: bigint; maxLossPerEpochWad: bigint };
  };
  twapWindowSec: number;
}

/** Decimal string → integer with `decimals` places, exactly (no floats). */
export function parseDecimal(value: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new RangeError(`not a decimal number: "${value}"`);
  const frac = (m[2] ?? "").padEnd(decimals, "0");
  if (frac.length > decimals) throw new RangeError(`"${value}" has more than ${decimals} decimals`);
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt(frac || "0");
}

function assetConfig(p: CollateralParams): AssetConfig {
  return {
    unit: 10n ** BigInt(p.decimals),
    haircutBps: BigInt(p.haircutBps),
    mintFeeBps: BigInt(p.mintFeeBps),
    redeemFeeBps: BigInt(p.redeemFeeBps),
    bufferBps: BigInt(p.bufferBps),
    ceiling: parseDecimal(p.ceiling, p.decimals),
    hasStrategy: p.strategy,
    spreadBps: max(BigInt(p.redeemSpreadBps ?? 0), MIN_REDEEM_SPREAD_BPS),
    lane: p.stableLane
      ? {
          bandBps: BigInt(p.stableLane.bandBps),
          baseFeeBps: BigInt(p.stableLane.baseFeeBps),
          maxShareBps: BigInt(p.stableLane.maxShareBps),
          volumePerEpoch: parseDecimal(p.stableLane.volumePerEpoch, 18),
        }
      : null,
  };
}

/** The model's configuration from the same parameters the deploy script uses. */
export function ballastConfigFrom(params: BallastParams): BallastConfig {
  const [weth] = params.collateral.others;
  const feed = (p: CollateralParams) => ({
    maxAgeSec: p.maxAgeSec,
    minWad: parseDecimal(p.minPriceUsd, 18),
    maxWad: parseDecimal(p.maxPriceUsd, 18),
    decimals: p.feedDecimals,
  });
  const op = params.operator;
  return {
    assets: { USDC: assetConfig(params.collateral.quote), WETH: assetConfig(weth) },
    feeds: { USDC: feed(params.collateral.quote), WETH: feed(weth) },
    recoveryMintFeeBps: BigInt(params.reserve.recoveryMintFeeBps),
    recoveryRedeemFeeBps: BigInt(params.reserve.recoveryRedeemFeeBps),
    bufferToleranceBps: BigInt(params.reserve.bufferToleranceBps),
    policy: {
      minRatioWad: params.policy.minRatioWad,
      maxRatioWad: params.policy.maxRatioWad,
      stepWad: params.policy.stepWad,
      bandBps: BigInt(params.policy.bandBps),
      riskWeightBps: BigInt(params.policy.riskWeightBps),
      refreshCooldownSec: BigInt(params.policy.refreshCooldownSec),
    },
    operator: {
      bandBps: BigInt(op.bandBps),
      maxSpotTwapDeviationBps: BigInt(op.maxSpotTwapDeviationBps),
      limits: {
        maxExpansionPerOp: parseDecimal(op.maxExpansionPerOp, 18),
        maxExpansionPerEpoch: parseDecimal(op.maxExpansionPerEpoch, 18),
        maxContractionPerOp: parseDecimal(op.maxContractionPerOp, 18),
        maxContractionPerEpoch: parseDecimal(op.maxContractionPerEpoch, 18),
        cooldownSec: BigInt(op.cooldownSec),
        epochSec: BigInt(op.epochSec),
      },
      // As the deploy's setSizing.
      sizing: {
        minOperationShareBps: BigInt(op.sizing.minOperationShareBps),
        maxLossBps: BigInt(op.sizing.maxLossBps),
        maxLossPerEpochWad: parseDecimal(op.sizing.maxLossPerEpochUsd, 18),
      },
    },
    twapWindowSec: params.oracle.twapWindowSec,
  };
}

export const ASSETS: Asset[] = ["USDC", "WETH"];

export class BallastReserve {
  readonly idle: Record<Asset, bigint>;
  /** Each lane's net flow this epoch (mints minus redeems, 18-decimal tokens), as the contract's Lane slot. */
  private readonly laneFlow: Record<Asset, { epoch: bigint; net: bigint }> = {
    USDC: { epoch: 0n, net: 0n },
    WETH: { epoch: 0n, net: 0n },
  };
  readonly inStrategy: Record<Asset, bigint> = { USDC: 0n, WETH: 0n };
  targetRatioWad: bigint;
  lastRefreshAt = 0n;

  constructor(readonly config: BallastConfig, holdings: Record<Asset, bigint>) {
    this.idle = { ...holdings };
    this.targetRatioWad = config.policy.minRatioWad;
    // Start with the buffer split the keeper's rebalance would have reached.
    for (const a of ASSETS) {
      if (!config.assets[a].hasStrategy) continue;
      const target = mulDiv(this.idle[a], config.assets[a].bufferBps, BPS);
      this.inStrategy[a] = this.idle[a] - target;
      this.idle[a] = target;
    }
  }

  accounted(a: Asset): bigint {
    return this.idle[a] + this.inStrategy[a];
  }

  private value(a: Asset, amount: bigint, priceWad: bigint): bigint {
    return mulDiv(amount, priceWad, this.config.assets[a].unit);
  }

  private haircut(a: Asset, valueWad: bigint): bigint {
    return mulDiv(valueWad, BPS - this.config.assets[a].haircutBps, BPS);
  }

  /** reserveValue(): haircut value at oracle prices; ok=false where the contract reverts. */
  reserveValue(m: Market): { ok: boolean; wad: bigint } {
    let wad = 0n;
    for (const a of ASSETS) {
      const p = m.feedPrice(a);
      if (!p.ok) return { ok: false, wad: 0n };
      wad += this.haircut(a, this.value(a, this.accounted(a), p.wad));
    }
    return { ok: true, wad };
  }

  /** grossValue(): oracle value without haircuts. */
  grossValue(m: Market): { ok: boolean; wad: bigint } {
    let wad = 0n;
    for (const a of ASSETS) {
      const p = m.feedPrice(a);
      if (!p.ok) return { ok: false, wad: 0n };
      wad += this.value(a, this.accounted(a), p.wad);
    }
    return { ok: true, wad };
  }

  /** redemptionRatio(): gross value (an invalid feed counts as zero) over supply. */
  redemptionRatio(m: Market): bigint {
    let wad = 0n;
    for (const a of ASSETS) {
      const p = m.feedPrice(a);
      if (p.ok) wad += this.value(a, this.accounted(a), p.wad);
    }
    return m.supply === 0n ? 1n << 255n : mulDiv(wad, WAD, m.supply);
  }

  /** _laneFee: whether `a`'s lane is open at its feed, and base + ceil(deviationBps / 2). */
  laneFee(m: Market, a: Asset): { open: boolean; feeBps: bigint } {
    const lane = this.config.assets[a].lane;
    const p = m.feedPrice(a);
    if (!lane || !p.ok) return { open: false, feeBps: 0n };
    const gap = p.wad > PEG_WAD ? p.wad - PEG_WAD : PEG_WAD - p.wad;
    const deviationBps = (gap * BPS + PEG_WAD - 1n) / PEG_WAD;
    if (deviationBps > lane.bandBps) return { open: false, feeBps: 0n };
    return { open: true, feeBps: lane.baseFeeBps + (deviationBps + 1n) / 2n };
  }

  /** _laneRoom: what the lane can still take this epoch one way (18-decimal tokens), its net flow held within ±volumePerEpoch. */
  laneRoom(m: Market, a: Asset, isMint: boolean): bigint {
    const lane = this.config.assets[a].lane;
    if (!lane) return 0n;
    const net = this.laneFlow[a].epoch === m.now / RESERVE_EPOCH_SEC ? this.laneFlow[a].net : 0n;
    const room = lane.volumePerEpoch + (isMint ? -net : net);
    return room > 0n ? room : 0n;
  }

  private useLane(m: Market, a: Asset, tokens: bigint, isMint: boolean): void {
    const epoch = m.now / RESERVE_EPOCH_SEC;
    const net = this.laneFlow[a].epoch === epoch ? this.laneFlow[a].net : 0n;
    this.laneFlow[a] = { epoch, net: net + (isMint ? tokens : -tokens) };
  }

  /** conservativeRatio(): assets with an invalid feed count as zero. */
  conservativeRatio(m: Market): bigint {
    let wad = 0n;
    for (const a of ASSETS) {
      const p = m.feedPrice(a);
      if (p.ok) wad += this.haircut(a, this.value(a, this.accounted(a), p.wad));
    }
    return m.supply === 0n ? 1n << 255n : mulDiv(wad, WAD, m.supply);
  }

  collateralRatio(m: Market): { ok: boolean; wad: bigint } {
    const v = this.reserveValue(m);
    if (!v.ok) return v;
    return { ok: true, wad: m.supply === 0n ? 1n << 255n : mulDiv(v.wad, WAD, m.supply) };
  }

  weightedHaircutBps(m: Market): { ok: boolean; bps: bigint } {
    let gross = 0n;
    let weighted = 0n;
    for (const a of ASSETS) {
      const p = m.feedPrice(a);
      if (!p.ok) return { ok: false, bps: 0n };
      const v = this.value(a, this.accounted(a), p.wad);
      gross += v;
      weighted += v * this.config.assets[a].haircutBps;
    }
    return { ok: true, bps: gross === 0n ? 0n : (weighted + gross - 1n) / gross };
  }

  inRecovery(m: Market): boolean {
    const r = this.collateralRatio(m);
    return r.ok && r.wad < this.targetRatioWad;
  }

  /** _quoteMint: tokens for `amountIn` of `a` and whether the stable lane priced it; 0n when the feed is invalid. */
  quoteMintDetail(m: Market, a: Asset, amountIn: bigint): { tokens: bigint; lane: boolean } {
    const p = m.feedPrice(a);
    if (!p.ok) return { tokens: 0n, lane: false };
    const cfg = this.config.assets[a];
    const laneFee = this.laneFee(m, a);
    let lane = laneFee.open;
    let feeBps = laneFee.feeBps;
    let valueWad = 0n;
    if (lane) {
      valueWad = this.value(a, amountIn, min(p.wad, PEG_WAD));
      const added = this.value(a, amountIn, p.wad);
      let gross = 0n;
      for (const x of ASSETS) {
        const q = m.feedPrice(x);
        if (q.ok) gross += this.value(x, this.accounted(x), q.wad);
      }
      const own = this.value(a, this.accounted(a), p.wad);
      const shareBps = ((own + added) * BPS + gross + added - 1n) / (gross + added);
      lane = shareBps <= cfg.lane!.maxShareBps && this.laneRoom(m, a, true) >= valueWad;
    }
    if (!lane) {
      feeBps = cfg.mintFeeBps;
      valueWad = this.haircut(a, this.value(a, amountIn, p.wad));
    }
    if (this.conservativeRatio(m) < this.targetRatioWad) feeBps = min(this.config.recoveryMintFeeBps, feeBps);
    const afterFee = mulDiv(valueWad, BPS - feeBps, BPS);
    return { tokens: mulDiv(afterFee, WAD, PEG_WAD), lane };
  }

  quoteMint(m: Market, a: Asset, amountIn: bigint): bigint {
    return this.quoteMintDetail(m, a, amountIn).tokens;
  }

  /**
   * _quoteRedeem / _settleRedeem: amount of `a` for `tokensIn` and whether the lane priced it; 0n
   * when the feed is invalid. An open lane pays the larger of its quote and the ordinary path's
   * (the lane on a tie), so a lane redemption never pays less than the ordinary path.
   */
  quoteRedeemDetail(m: Market, a: Asset, tokensIn: bigint): { amount: bigint; lane: boolean } {
    const p = m.feedPrice(a);
    if (!p.ok) return { amount: 0n, lane: false };
    const cfg = this.config.assets[a];
    const ratio = this.redemptionRatio(m);
    const laneFee = this.laneFee(m, a);
    const recovery = this.conservativeRatio(m) < this.targetRatioWad;
    const withRecovery = (feeBps: bigint) => (recovery ? max(feeBps, this.config.recoveryRedeemFeeBps) : feeBps);
    let valueWad = mulDiv(tokensIn, PEG_WAD, WAD);
    if (ratio < WAD) valueWad = mulDiv(valueWad, ratio, WAD);
    const pay = (feeBps: bigint, payPrice: bigint) => mulDiv(mulDiv(valueWad, BPS - feeBps, BPS), cfg.unit, payPrice);
    const ordinary = pay(withRecovery(cfg.redeemFeeBps + cfg.spreadBps), p.wad);
    if (!laneFee.open || this.laneRoom(m, a, false) < tokensIn) return { amount: ordinary, lane: false };
    const lane = pay(withRecovery(laneFee.feeBps), max(p.wad, PEG_WAD));
    return lane >= ordinary ? { amount: lane, lane: true } : { amount: ordinary, lane: false };
  }

  quoteRedeem(m: Market, a: Asset, tokensIn: bigint): bigint {
    return this.quoteRedeemDetail(m, a, tokensIn).amount;
  }

  /** Room under the deposit ceiling, raw units of `a`. */
  mintRoom(a: Asset): bigint {
    const c = this.config.assets[a].ceiling;
    const used = this.accounted(a);
    return used >= c ? 0n : c - used;
  }

  /** User mint: deposits `amountIn`, returns tokens minted (0n when refused). */
  mint(m: Market, a: Asset, amountIn: bigint): bigint {
    if (amountIn <= 0n || amountIn > this.mintRoom(a)) return 0n;
    const { tokens: out, lane } = this.quoteMintDetail(m, a, amountIn);
    if (out === 0n) return 0n;
    if (lane) this.useLane(m, a, out, true);
    this.idle[a] += amountIn;
    m.supply += out;
    return out;
  }

  /** User redeem: burns `tokensIn`, returns the asset paid (0n when refused or short of liquidity). */
  redeem(m: Market, a: Asset, tokensIn: bigint): bigint {
    if (tokensIn <= 0n) return 0n;
    const { amount: out, lane } = this.quoteRedeemDetail(m, a, tokensIn);
    if (out === 0n || out > this.accounted(a)) return 0n;
    if (lane) this.useLane(m, a, tokensIn, false);
    if (this.idle[a] < out) {
      const pull = out - this.idle[a];
      this.inStrategy[a] -= pull;
      this.idle[a] += pull;
    }
    this.idle[a] -= out;
    m.supply -= tokensIn;
    return out;
  }

  /** rebalanceDelta(): positive parks idle into the strategy, negative pulls back. */
  rebalanceDelta(a: Asset): bigint {
    if (!this.config.assets[a].hasStrategy) return 0n;
    const targetIdle = mulDiv(this.accounted(a), this.config.assets[a].bufferBps, BPS);
    const slack = mulDiv(targetIdle, this.config.bufferToleranceBps, BPS);
    if (this.idle[a] > targetIdle + slack) return this.idle[a] - targetIdle;
    if (this.idle[a] + slack < targetIdle) return -min(targetIdle - this.idle[a], this.inStrategy[a]);
    return 0n;
  }

  rebalance(): boolean {
    let moved = false;
    for (const a of ASSETS) {
      const d = this.rebalanceDelta(a);
      if (d === 0n) continue;
      this.idle[a] -= d;
      this.inStrategy[a] += d;
      moved = true;
    }
    return moved;
  }

  /**
   * CollateralPolicy.refresh(): returns false where the contract would revert (too soon, oracle
   * invalid; the observation it wrote first is then rolled back). It records a TWAP observation
   * first (oracle.update()); on a stale TWAP (span over MAX_TWAP_SPAN_WINDOWS windows) it takes no
   * step, applies the risk floor and leaves its cooldown unspent, as the contract does.
   */
  refresh(m: Market): boolean {
    const p = this.config.policy;
    if (this.lastRefreshAt !== 0n && m.now < this.lastRefreshAt + p.refreshCooldownSec) return false;
    const mp = m.marketPrice();
    const h = this.weightedHaircutBps(m);
    if (!mp.ok || !h.ok) return false;
    m.recordObservation();
    const floor = riskFloorWad(p, h.bps);
    const span = m.twapSpan();
    if (twapStale({ twapSpanSec: span.spanSec, twapWindowSec: span.windowSec })) {
      this.targetRatioWad = computeTargetRatio(
        this.targetRatioWad,
        PEG_WAD,
        p.bandBps,
        p.stepWad,
        floor,
        p.maxRatioWad,
      );
      return true;
    }
    this.targetRatioWad = computeTargetRatio(
      this.targetRatioWad,
      mp.twapWad,
      p.bandBps,
      p.stepWad,
      floor,
      p.maxRatioWad,
    );
    this.lastRefreshAt = m.now;
    return true;
  }

  /** Value of the reserve at true external prices, USD (for the failure flags and reports). */
  trueValueUsd(m: Market): number {
    return (
      (Number(this.accounted("USDC")) / Number(QUOTE_UNIT)) * m.truth.USDC +
      (Number(this.accounted("WETH")) / Number(WETH_UNIT)) * m.truth.WETH
    );
  }
}

export { TOKEN_UNIT };
