/**
 * A real Anvil node (Foundry's independent Ethereum node, from the npm package) on a free
 * loopback port, with a chain id of the test's choosing: the keeper's start-up check needs a live
 * endpoint that serves another chain than the address book's, which `hardhat node` cannot do
 * without changing the project's Hardhat config.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { freePort } from "../../helpers/hardhatNode";
import { hasExited, stopProcessGroup } from "../../helpers/processGroup";

export interface RunningAnvil {
  url: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startAnvil(chainId: number, timeoutMs = 30_000): Promise<RunningAnvil> {
  const port = await freePort();
  const bin = path.resolve(__dirname, "../../../node_modules/.bin/anvil");
  // Its own process group: the npm launcher and the anvil binary under it stop together.
  const child = spawn(bin, ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--silent"], { detached: true, stdio: "ignore" });
  const stop = (): Promise<void> => stopProcessGroup(child, 5_000);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(url))) {
    if (hasExited(child)) throw new Error(`anvil exited before answering on ${url}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer on ${url} in time`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}
