import path from "node:path";
import "@nomicfoundation/hardhat-toolbox";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "./scripts/tasks";
import { DEVNET_CHAIN_ID } from "./deploy/parameters";

/** The one compiler version; `solc` in devDependencies is pinned to it (compiled offline). */
const SOLC_VERSION = "0.8.28";

// Hardhat 2 downloads solc at compile time; this machine class is offline, so compile through
// the WebAssembly build that ships in the pinned `solc` npm package.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version(),
  };
});

// Only `*.test.ts` files are suites; everything else under test/ (support code, child-process
// entry points) must not be loaded by mocha. Suites that spawn processes (nodes, keepers, a
// browser) live under test/process/ and run on their own: `BALLAST_PROCESS_TESTS=1 hardhat test`
// (`npm run test:process`) runs exactly those; a plain `hardhat test` runs everything else.
// Files named on the command line always run. Every run (`npm test`, `npm run coverage`, one
// file) loads TEST_SETUP first, as mocha's `--file` would: its root-level hooks apply to the whole
// run, and nothing outside a test run loads it.
const PROCESS_SUITES = `${path.sep}test${path.sep}process${path.sep}`;
const TEST_SETUP = path.join(__dirname, "test", "support", "setup.ts");
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  const processSuites = process.env.BALLAST_PROCESS_TESTS === "1";
  const suites =
    args.testFiles.length > 0
      ? files
      : files.filter((f) => f.endsWith(".test.ts") && f.includes(PROCESS_SUITES) === processSuites);
  return [TEST_SETUP, ...suites.filter((f) => path.resolve(f) !== TEST_SETUP)];
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 } } }],
  },
  networks: {
    hardhat: {},
    localhost: { url: process.env.BALLAST_LOCALHOST_URL ?? "http://127.0.0.1:8545" },
    // A live-shaped network on a local Anvil node standing in for a testnet (scripts/devnet/testnet.ts).
    devnet: {
      url: process.env.BALLAST_DEVNET_URL ?? "http://127.0.0.1:8546",
      chainId: DEVNET_CHAIN_ID,
      accounts: process.env.BALLAST_DEPLOYER_KEY ? [process.env.BALLAST_DEPLOYER_KEY] : [],
    },
    // A public testnet: not local, so no test tokens, mock feeds or time travel. Deploying to it
    // needs an entry in deploy/parameters.ts (NETWORK_CONFIGS) naming the real tokens and feeds.
    sepolia: {
      url: process.env.BALLAST_SEPOLIA_URL ?? "",
      accounts: process.env.BALLAST_DEPLOYER_KEY ? [process.env.BALLAST_DEPLOYER_KEY] : [],
    },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
};

export default config;
