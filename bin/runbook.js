#!/usr/bin/env node
// Thin launcher: the command line is bundled into dist/cli/ by the build (`npm ci` runs it through the
// prepare script; scripts/bundle-cli.mjs says why).
import { main } from '../dist/cli/main.js';

await main(process.argv.slice(2));
