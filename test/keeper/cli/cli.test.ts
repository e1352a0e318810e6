/**
 * The keeper's command line as a process: bad configuration and bad CLI input are each rejected
 * naming the field, with a non-zero exit, and before any connection to the RPC endpoint.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { spawnKeeper } from "../../../scripts/lib/keeperProcess";
import { buildProgram } from "../../../keeper/src/cli";

describe("keeper CLI rejects bad input (process)", function () {
  this.timeout(240_000);
  let rpc: Server;
  let rpcUrl: string;
  let connections = 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), "ballast-keeper-cli-"));

  before(async function () {
    // A TCP listener standing in for the RPC endpoint: it only counts who connects.
    rpc = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => rpc.listen(0, "127.0.0.1", resolve));
    const address = rpc.address();
    rpcUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });

  after(async function () {
    await new Promise<void>((resolve) => rpc.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("bad config file and environment: every field named at once, exit 2, no connection to the RPC endpoint", async function () {
    const badConfig = path.join(dir, "bad.json");
    writeFileSync(
      badConfig,
      JSON.stringify({ confirmations: 0, policy: { slippageBps: -1 }, http: { port: "x" }, bogus: 1 }),
    );
    const k = spawnKeeper(["run", "--network", "nosuchnet", "--config", badConfig, "--rpc", rpcUrl], {
      env: {
        BALLAST_KEEPER_JOURNAL: path.join(dir, "journal.sqlite"),
        BALLAST_KEEPER_PORT: "abc",
        BALLAST_KEEPER_KEY: "0xnothex",
      },
    });
    const { code } = await k.exited;
    expect(code, k.stderr()).to.equal(2);
    for (const name of [
      "confirmations",
      "policy.slippageBps",
      "http.port",
      "bogus",
      "BALLAST_KEEPER_PORT",
      "BALLAST_KEEPER_KEY",
      "addressBook",
    ]) {
      expect(k.stderr()).to.include(name);
    }
    expect(k.stderr()).to.not.include("0xnothex"); // the key is named, never echoed
    expect(connections).to.equal(0);
  });

  it("bad CLI input (--port abc): the option named, non-zero exit", async function () {
    const k = spawnKeeper(["run", "--port", "abc"]);
    const { code } = await k.exited;
    expect(code).to.equal(2);
    expect(k.stderr()).to.include("--port");
  });
});

describe("keeper CLI parsing (in process)", function () {
  const noop = async () => 0;
  async function parse(args: string[]): Promise<{ error: string; code: string | undefined }> {
    let error = "";
    const program = buildProgram({ run: noop, status: noop, check: noop }, () => undefined, {
      writeErr: (s) => (error += s),
      writeOut: () => undefined,
    });
    try {
      await program.parseAsync(["node", "keeper", ...args]);
      return { error, code: undefined };
    } catch (err) {
      return { error, code: (err as { code?: string }).code };
    }
  }

  const cases: [string[], string][] = [
    [["run", "--port", "70000"], "--port"],
    [["run", "--rpc", "ftp://nope"], "--rpc"],
    [["run", "--rpc", "http://a:1,wss://b:2"], "--rpc"],
    [["run", "--rpc", ""], "--rpc"],
    [["check", "--network", "bad name!"], "--network"],
    [["fly"], "unknown command 'fly'"],
    [["run", "--once", "--bogus"], "unknown option '--bogus'"],
    [["status", "extra"], "too many arguments"],
  ];
  for (const [args, named] of cases) {
    it(`rejects \`${args.join(" ")}\` naming ${named}`, async function () {
      const r = await parse(args);
      expect(r.code).to.match(/^commander\./);
      expect(r.error).to.include(named);
    });
  }

  it("accepts run --once --dry-run --port 0 --rpc a,b and passes them on", async function () {
    let seen: unknown;
    const program = buildProgram({ run: async (o) => ((seen = o), 0), status: noop, check: noop }, () => undefined);
    await program.parseAsync([
      "node",
      "keeper",
      "run",
      "--once",
      "--dry-run",
      "--port",
      "0",
      "--rpc",
      "http://a:1,http://b:2",
      "--network",
      "sepolia",
    ]);
    expect(seen).to.deep.include({
      network: "sepolia",
      once: true,
      dryRun: true,
      port: 0,
      rpc: ["http://a:1", "http://b:2"],
    });
  });
});
