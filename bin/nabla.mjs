#!/usr/bin/env node
// The `nabla` command. Nabla ships as TypeScript, with no build step: ./bundle.mjs bundles the CLI on first
// use (and after any source changed), or loads it through tsx.
import { loadCli } from './bundle.mjs';

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
