/**
 * `npm run feeds -- [--rpc <url>] [--path <SYMBOL=spec>…] [--poll-ms <ms>] [--once]`
 *
 * Runs the local feed driver beside `npm run node` (after `npm run deploy -- --network localhost`):
 * re-posts each mock feed of `deployments/localhost.json` at its heartbeat and when its price path
 * moves past its deviation threshold, so a local stack stays fresh for hours. Path specs:
 * `constant[:usd]` (default: the feed's current answer), `walk:<seed>[:<volBps>[:<stepSec>]]`,
 * `csv:<file>` (`offsetSec,priceUsd` rows). Ctrl-C stops it.
 */
import { Command } from "commander";
import { JsonRpcProvider, formatUnits } from "ethers";
import { connectContract } from "../../deploy/contracts";
import { readAddressBook } from "../../deploy/addressBook";
import { LOCAL_ACCOUNTS, networkDeployConfig } from "../../deploy/parameters";
import { FeedDriver, feedsOfBook } from "./feedDriver";
import { parsePathSpec, type PricePath } from "./pricePath";

const DEFAULT_POLL_MS = 1_000;

interface Options {
  rpc: string;
  path: string[];
  pollMs: string;
  once?: boolean;
}

async function pathsFrom(
  specs: string[],
  feeds: Record<string, string>,
  provider: JsonRpcProvider,
): Promise<Record<string, PricePath>> {
  const paths: Record<string, PricePath> = {};
  for (const entry of specs) {
    const [symbol, spec] = entry.split("=", 2);
    if (!spec) throw new Error(`--path ${entry}: expected SYMBOL=spec, e.g. WETH=walk:7`);
    const address = feeds[symbol];
    if (!address)
      throw new Error(
        `--path ${entry}: the address book has no ${symbol} feed (it has ${Object.keys(feeds).join(", ")})`,
      );
    const feed = connectContract("MockV3Aggregator", address, provider);
    const [, answer] = await feed.latestRoundData();
    paths[symbol] = parsePathSpec(spec, Number(formatUnits(answer, await feed.decimals())));
  }
  return paths;
}

async function main(argv: string[]): Promise<void> {
  const o = new Command()
    .name("feeds")
    .description("Re-post the local mock Chainlink feeds at their heartbeat and on deviation")
    .option("--rpc <url>", "the local node", process.env.BALLAST_LOCALHOST_URL ?? "http://127.0.0.1:8545")
    .option(
      "--path <SYMBOL=spec>",
      "a price path for one feed (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--poll-ms <ms>", "how often to read the chain's clock", String(DEFAULT_POLL_MS))
    .option("--once", "one pass, then exit")
    .parse(argv)
    .opts<Options>();
  const pollMs = Number(o.pollMs);
  if (!Number.isInteger(pollMs) || pollMs < 50)
    throw new Error(`--poll-ms must be an integer of at least 50; got ${o.pollMs}`);

  const provider = new JsonRpcProvider(o.rpc, undefined, { cacheTimeout: -1 });
  const book = readAddressBook("localhost");
  const chainId = Number((await provider.getNetwork()).chainId);
  if (chainId !== book.chainId)
    throw new Error(
      `the node at ${o.rpc} serves chain ${chainId}, the address book chain ${book.chainId}: deploy to this node first`,
    );
  const signer = await provider.getSigner(LOCAL_ACCOUNTS.feedDriver);
  const feeds = feedsOfBook(
    book,
    networkDeployConfig("localhost").params,
    await pathsFrom(o.path, book.contracts.feeds, provider),
  );
  const driver = new FeedDriver({ provider, signer, feeds, log: (line) => process.stdout.write(`${line}\n`) });
  if (o.once) {
    await driver.tick();
    provider.destroy();
    return;
  }
  driver.start(pollMs);
  process.once("SIGINT", () => {
    void driver.stop().then(() => {
      provider.destroy();
      process.exit(0);
    });
  });
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
});
