/**
 * The test run's set-up, loaded ahead of every suite by hardhat.config.ts's test-file list (as
 * mocha's `--file`): `npm test`, `npm run coverage` and a single `hardhat test <file>` alike. A
 * hook at the top level of a loaded file is a root hook: it runs once before the whole run.
 */
import hre from "hardhat";
import { installRevertClock } from "./revertClock";

// At run time, not load time: solidity-coverage has swapped in its own provider by then.
before(function () {
  installRevertClock(hre.network);
});
