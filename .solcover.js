// solidity-coverage: measure the protocol contracts only. contracts/test/ (test tokens, vault, feeds,
// attack harnesses) and contracts/bench/ (gas-benchmark baselines) are not part of the protocol.
module.exports = {
  skipFiles: ["test/", "bench/"],
};
