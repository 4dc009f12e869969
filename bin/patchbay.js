#!/usr/bin/env node
// The patchbay CLI entry: runs the TypeScript CLI through tsx, so the CLI and the engine share one source.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
