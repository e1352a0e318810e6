/**
 * The command line (commander 14): `run [--once] [--dry-run]`, `status [--json]`, `check`, each
 * with `--network`, `--config`, `--rpc`, `--port`. Parsing only: the handlers are injected by the
 * composition root. Bad input is rejected naming the option, with a non-zero exit.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { isRpcUrl, splitUrls, type CliOptions } from "./config/load";
import { RPC_URL_RULE } from "./config/schema";

export interface Handlers {
  run(options: CliOptions): Promise<number>;
  status(options: CliOptions & { json: boolean }): Promise<number>;
  check(options: CliOptions): Promise<number>;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535)
    throw new InvalidArgumentError("must be an integer port 0..65535.");
  return Number(value);
}

function parseRpc(value: string): string[] {
  const urls = splitUrls(value);
  if (urls.length === 0) throw new InvalidArgumentError("must be a comma-separated list of RPC URLs.");
  for (const u of urls) if (!isRpcUrl(u)) throw new InvalidArgumentError(`"${u}" ${RPC_URL_RULE}.`);
  return urls;
}

function parseNetwork(value: string): string {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(value))
    throw new InvalidArgumentError("must be a network name (letters, digits, - and _).");
  return value;
}

function common(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--network <name>", "network name (deployments/<name>.json)")
        .default("localhost")
        .argParser(parseNetwork),
    )
    .option("--config <file>", "JSON config file")
    .addOption(
      new Option(
        "--rpc <urls>",
        "comma-separated RPC URLs (overrides BALLAST_RPC_URLS and the network's URLs)",
      ).argParser(parseRpc),
    )
    .addOption(
      new Option("--port <port>", "HTTP port for /metrics and /healthz (BALLAST_KEEPER_PORT, default 9464)").argParser(
        parsePort,
      ),
    );
}

type Raw = {
  network: string;
  config?: string;
  rpc?: string[];
  port?: number;
  once?: boolean;
  dryRun?: boolean;
  json?: boolean;
};

const toCli = (o: Raw): CliOptions => ({
  network: o.network,
  config: o.config,
  rpc: o.rpc,
  port: o.port,
  once: o.once,
  dryRun: o.dryRun,
});

export function buildProgram(
  handlers: Handlers,
  setExitCode: (code: number) => void,
  output?: { writeErr(s: string): void; writeOut(s: string): void },
): Command {
  const program = new Command("ballast-keeper")
    .description("Ballast keeper: keeps the token on its peg with market operations")
    .showHelpAfterError()
    .allowExcessArguments(false)
    // Set before the subcommands are added so they inherit it: parse errors throw, main() exits.
    .exitOverride();
  if (output) program.configureOutput(output);

  common(program.command("run").description("run the keeper daemon"))
    .option("--once", "run one cycle and exit")
    .option("--dry-run", "decide and simulate, never send")
    .action(async (o: Raw) => setExitCode(await handlers.run(toCli(o))));

  common(program.command("status").description("print the protocol's state as the keeper sees it"))
    .option("--json", "one JSON object")
    .action(async (o: Raw) => setExitCode(await handlers.status({ ...toCli(o), json: o.json ?? false })));

  common(
    program.command("check").description("check config, connectivity, key, roles and address book, then exit"),
  ).action(async (o: Raw) => setExitCode(await handlers.check(toCli(o))));

  return program;
}
