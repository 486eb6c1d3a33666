#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

// Dependencies' deprecation notices (pg's, when it reads ~/.pgpass) are for developers, not users.
process.noDeprecation = true;

process.exitCode = await main(process.argv.slice(2));
