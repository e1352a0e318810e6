/**
 * The local feed driver: does for a local chain's Chainlink MockV3Aggregator feeds what Chainlink's
 * oracle network does on a live chain. Each poll it reads the chain's clock and each feed's last
 * answer, and posts a new answer when the heartbeat is due or when the feed's price path has moved
 * past its deviation threshold. Time is the chain's (block timestamps, running on between blocks),
 * so time warps on a local node (`evm_increaseTime`) are followed like real time: a stack left
 * running for hours, idle or warped past a feed's max age, keeps fresh prices.
 */
import { formatUnits, parseUnits, type Provider, type Signer } from "ethers";
import { connectContract, type MockV3Aggregator } from "../../deploy/contracts";
import type { AddressBook } from "../../deploy/addressBook";
import type { BallastParams } from "../../deploy/parameters";
import { constantPath, type PricePath } from "./pricePath";

/** Why a feed gets a new answer now, or null when it does not. */
export type FeedUpdateReason = "heartbeat" | "deviation" | null;

export interface FeedSchedule {
  heartbeatSec: number;
  deviationBps: number;
}

/**
 * Chainlink's update rule: a new answer when `heartbeatSec` passed since the last one, or when the
 * price moved at least `deviationBps` from it. Integers throughout (feed answers in their decimals).
 */
export function feedUpdateReason(
  last: { answer: bigint; updatedAt: bigint },
  next: bigint,
  nowSec: bigint,
  s: FeedSchedule,
): FeedUpdateReason {
  if (nowSec - last.updatedAt >= BigInt(s.heartbeatSec)) return "heartbeat";
  // A non-positive answer is a broken feed: any positive price is past its threshold.
  if (last.answer <= 0n) return next > 0n ? "deviation" : null;
  const moved = next > last.answer ? next - last.answer : last.answer - next;
  return moved * 10_000n >= BigInt(s.deviationBps) * last.answer ? "deviation" : null;
}

export interface DrivenFeed {
  symbol: string;
  address: string;
  schedule: FeedSchedule;
  /** The price path to follow; default: the feed's answer when the driver starts, held. */
  path?: PricePath;
}

export interface FeedPost {
  symbol: string;
  reason: Exclude<FeedUpdateReason, null>;
  answer: bigint;
  /** Chain time of the block the decision was made on, s. */
  chainTime: bigint;
  ageSec: bigint;
}

export interface FeedDriverOptions {
  provider: Provider;
  /** Pays for the posts (MockV3Aggregator.updateAnswer is open to anyone). */
  signer: Signer;
  feeds: DrivenFeed[];
  log?: (line: string) => void;
  /** Wall clock, ms (tests inject one). */
  nowMs?: () => number;
}

interface FeedState {
  feed: DrivenFeed;
  contract: MockV3Aggregator;
  decimals: number;
  path: PricePath;
}

/**
 * The feeds of an address book, each with its schedule from the deploy parameters and an optional
 * price path by symbol. Fails naming the symbol when a feed has no parameters or a path no feed.
 */
export function feedsOfBook(
  book: Pick<AddressBook, "contracts">,
  params: BallastParams,
  paths: Record<string, PricePath> = {},
): DrivenFeed[] {
  const bySymbol = new Map([params.collateral.quote, ...params.collateral.others].map((c) => [c.symbol, c]));
  for (const symbol of Object.keys(paths)) {
    if (!(symbol in book.contracts.feeds))
      throw new Error(
        `a price path is given for ${symbol}, but the address book has no ${symbol} feed (it has ${Object.keys(
          book.contracts.feeds,
        ).join(", ")})`,
      );
  }
  return Object.entries(book.contracts.feeds).map(([symbol, address]) => {
    const c = bySymbol.get(symbol);
    if (!c)
      throw new Error(
        `the address book's ${symbol} feed has no collateral parameters (heartbeat, deviation) in deploy/parameters.ts`,
      );
    return {
      symbol,
      address,
      schedule: { heartbeatSec: c.heartbeatSec, deviationBps: c.deviationBps },
      path: paths[symbol],
    };
  });
}

export class FeedDriver {
  private states: FeedState[] | null = null;
  private head: { number: number; seenAtMs: number } | null = null;
  private startChainTime = 0n;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Every answer posted, oldest first (for status lines and tests). */
  readonly posts: FeedPost[] = [];
  /** Chain time of the block the last completed pass looked at, s (0 before the first). */
  checkedChainTime = 0n;

  constructor(private readonly o: FeedDriverOptions) {
    for (const f of o.feeds) {
      if (!Number.isInteger(f.schedule.heartbeatSec) || f.schedule.heartbeatSec <= 0)
        throw new Error(`feed ${f.symbol}: heartbeatSec must be a positive integer; got ${f.schedule.heartbeatSec}`);
      if (!(f.schedule.deviationBps > 0 && f.schedule.deviationBps <= 10_000))
        throw new Error(`feed ${f.symbol}: deviationBps must be in (0, 10000]; got ${f.schedule.deviationBps}`);
    }
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  /**
   * The chain's time now, s: the latest block's timestamp plus the wall-clock time since that block
   * was first seen. A local node stamps its next block with wall time plus any warp, so an idle
   * node's clock still runs (a feed goes stale for the next transaction) and a warp is followed.
   */
  private async chainTime(): Promise<bigint> {
    const block = await this.o.provider.getBlock("latest");
    if (!block) throw new Error("the node returned no latest block");
    const nowMs = this.o.nowMs ?? Date.now;
    if (this.head?.number !== block.number) this.head = { number: block.number, seenAtMs: nowMs() };
    return BigInt(block.timestamp) + BigInt(Math.floor((nowMs() - this.head.seenAtMs) / 1_000));
  }

  private async init(): Promise<FeedState[]> {
    this.startChainTime = await this.chainTime();
    const states: FeedState[] = [];
    for (const feed of this.o.feeds) {
      const contract = connectContract("MockV3Aggregator", feed.address, this.o.signer);
      const decimals = Number(await contract.decimals());
      const [, answer] = await contract.latestRoundData();
      const path = feed.path ?? constantPath(Number(formatUnits(answer, decimals)));
      states.push({ feed, contract, decimals, path });
      this.log(
        `feed ${feed.symbol} ${feed.address}: heartbeat ${feed.schedule.heartbeatSec} s, deviation ${feed.schedule.deviationBps} bps, path ${path.label}`,
      );
    }
    return states;
  }

  /** One pass over every feed: posts where Chainlink's rule says to. Returns the posts made. */
  async tick(): Promise<FeedPost[]> {
    this.states ??= await this.init();
    const now = await this.chainTime();
    const posted: FeedPost[] = [];
    for (const s of this.states) {
      const [, answer, , updatedAt] = await s.contract.latestRoundData();
      const price = s.path.priceAt(Number(now - this.startChainTime));
      const next = parseUnits(price.toFixed(s.decimals), s.decimals);
      const reason = feedUpdateReason({ answer, updatedAt }, next, now, s.feed.schedule);
      if (!reason) continue;
      await (await s.contract.updateAnswer(next)).wait();
      const post: FeedPost = { symbol: s.feed.symbol, reason, answer: next, chainTime: now, ageSec: now - updatedAt };
      posted.push(post);
      this.posts.push(post);
      this.log(
        `feed ${s.feed.symbol}: posted ${formatUnits(next, s.decimals)} (${reason}; last answer ${post.ageSec} s old)`,
      );
    }
    this.checkedChainTime = now;
    return posted;
  }

  /** Polls every `pollMs` until `stop()`; a failed poll is logged and retried on the next one. */
  start(pollMs: number): void {
    if (this.timer || this.running) throw new Error("the feed driver is already running");
    const loop = async (): Promise<void> => {
      try {
        await this.tick();
      } catch (err) {
        this.log(`feed driver: poll failed, retrying: ${(err as Error).message.split("\n")[0]}`);
      }
    };
    const schedule = (): void => {
      this.running = loop().finally(() => {
        this.running = null;
        if (this.timer) this.timer = setTimeout(schedule, pollMs);
      });
    };
    this.timer = setTimeout(schedule, 0);
  }

  /** Stops polling and waits for a poll in flight to finish. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
