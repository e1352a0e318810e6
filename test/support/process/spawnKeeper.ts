/** The fault tests' daemon: the one keeper spawner (scripts/lib/keeperProcess.ts) on the `faults` network. */
import { spawnKeeper, type KeeperProcess } from "../../../scripts/lib/keeperProcess";

export type KeeperChild = KeeperProcess;

export interface DaemonOptions {
  urls: string[];
  privateKey: string;
  journalPath: string;
  /** The keeper config file (JSON) and address book, written by the test. */
  configPath: string;
  env?: Record<string, string>;
}

/** Starts the real keeper daemon (`run --network faults`) as a child process, HTTP on a free port. */
export function spawnDaemon(o: DaemonOptions): KeeperChild {
  return spawnKeeper(
    ["run", "--network", "faults", "--config", o.configPath, "--rpc", o.urls.join(","), "--port", "0"],
    {
      env: { BALLAST_KEEPER_KEY: o.privateKey, BALLAST_KEEPER_JOURNAL: o.journalPath, ...o.env },
    },
  );
}
