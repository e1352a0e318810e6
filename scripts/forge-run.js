#!/usr/bin/env node
/**
 * Runs forge and exits with forge's own status. The `forge` launcher in @foundry-rs/forge does
 * not pass the child's exit code on (seen here: a failed invariant campaign exited 0), which
 * would let `npm test` pass over a broken invariant; this spawns the platform binary directly.
 *
 *   node scripts/forge-run.js <forge args…>
 *   node scripts/forge-run.js --campaign <profile> [forge args…]   (prints the seed and the verdict)
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS executable */
const { spawnSync } = require("child_process");
const path = require("path");

const DEFAULT_SEED = "0xba11a57";

function forgeBinary() {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/forge-${process.platform}-${arch}`;
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", "forge");
}

function run(args, env) {
  const result = spawnSync(forgeBinary(), args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function main(argv) {
  if (argv[0] !== "--campaign") return run(argv, {});
  const profile = argv[1];
  const seed = process.env.BALLAST_FUZZ_SEED || DEFAULT_SEED;
  process.stdout.write(`invariant campaign: profile ${profile}, seed ${seed}\n`);
  const status = run(["test", "--match-test", "invariant_", "--fuzz-seed", seed, ...argv.slice(2)], {
    FOUNDRY_PROFILE: profile,
  });
  process.stdout.write(
    status === 0
      ? `violations: 0 (seed ${seed}; every invariant held after every call)\n`
      : `violations: at least 1 (seed ${seed}; forge stops at the first broken invariant, see above)\n`,
  );
  return status;
}

process.exitCode = main(process.argv.slice(2));
