import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "typechain-types/",
      "coverage/",
      "dist/",
      "reports/",
      "out/",
      "lib/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        require: "readonly",
        __dirname: "readonly",
        module: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
  {
    // The daemon ships alone: nothing under keeper/src may reach into research, deploy, script or test code.
    files: ["keeper/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/deploy/**", "**/deploy"], message: "keeper/src must not import deploy/" },
            {
              group: ["**/keeper/sim/**", "../../sim/**", "../sim/**", "**/sim"],
              message: "keeper/src must not import the simulator (keeper/sim)",
            },
            { group: ["**/test/**", "**/test"], message: "keeper/src must not import test/" },
            { group: ["**/scripts/**", "**/scripts"], message: "keeper/src must not import scripts/" },
          ],
        },
      ],
    },
  },
  {
    // Product and dev tooling never lean on the tests: shared helpers live in scripts/devnet.
    files: ["scripts/**/*.ts", "deploy/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+test(/|$)",
              message: "scripts/ and deploy/ must not import test/: move shared helpers to scripts/devnet",
            },
          ],
        },
      ],
    },
  },
);
