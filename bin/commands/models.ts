// `patchbay models`: lists the bundled models with their facts.
import type { Command } from 'commander';
import { bundledIds, bundledManifest } from '../../engine/load/node-resolver.js';

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the bundled models')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const rows = bundledIds().map((id) => {
        const m = bundledManifest(id);
        return { id, name: m.display_name ?? id, family: m.family ?? '?', description: m.description ?? '' };
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else for (const r of rows) process.stdout.write(`${r.id.padEnd(16)} ${r.family.padEnd(9)} ${r.name}\n`);
    });
}
