#!/usr/bin/env node
/**
 * A `solc` executable for forge, backed by the WebAssembly compiler in the pinned `solc` npm
 * package (no native solc can be downloaded on these machines). forge only needs two things:
 *   solc --version            → a line "Version: <semver>+commit.<hash>…"
 *   solc --standard-json …    → standard JSON in on stdin, standard JSON out on stdout
 * Output is written with blocking writes before the process ends: forge reads stdout to EOF and
 * fails on a cut-off JSON if the process exits with buffered output still pending.
 */
"use strict";
/* global Buffer */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS executable that forge spawns */
const fs = require("fs");
const path = require("path");
const solc = require("solc");

function writeAll(fd, text) {
  const buffer = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (error) {
      // A pipe can report EAGAIN when its reader is slow; retry until everything is written.
      if (error.code !== "EAGAIN") throw error;
    }
  }
}

function readStdin() {
  const chunks = [];
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      if (error.code === "EAGAIN") continue;
      if (error.code === "EOF") break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Import fallback for sources forge did not inline: resolve against the base and include paths. */
function importResolver(roots) {
  return (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: `File not found: ${importPath}` };
  };
}

function main(argv) {
  if (argv.includes("--version")) {
    writeAll(1, `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return 0;
  }
  if (!argv.includes("--standard-json")) {
    writeAll(2, "forge-solc: only --version and --standard-json are supported\n");
    return 1;
  }
  const roots = [process.cwd()];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === "--base-path" || argv[i] === "--include-path") && argv[i + 1]) roots.push(argv[i + 1]);
  }
  const output = solc.compile(readStdin(), { import: importResolver(roots) });
  writeAll(1, output);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
