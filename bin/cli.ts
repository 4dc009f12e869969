// The patchbay command line: one file per subcommand in bin/commands/, registered here. Errors print one line on
// stderr ("patchbay: CODE: message") and exit non-zero.
import { Command, CommanderError } from 'commander';
import { isPatchbayError } from '../engine/errors.js';
import { registerModels } from './commands/models.js';
import { registerTrace } from './commands/trace.js';
import { registerRun } from './commands/run.js';
import { registerPyvene } from './commands/pyvene.js';
import { registerGenerate } from './commands/generate.js';
import { registerInspect } from './commands/inspect.js';
import { registerDas } from './commands/das.js';
import { registerSweep } from './commands/sweep.js';
import { registerExport } from './commands/export.js';
import { registerAttribute } from './commands/attribute.js';
import { registerShow } from './commands/show.js';

const COMMANDS = [registerModels, registerRun, registerPyvene, registerTrace, registerGenerate, registerInspect, registerDas, registerAttribute, registerSweep, registerExport, registerShow];

export async function main(argv: string[]): Promise<number> {
  const program = new Command('patchbay')
    .description('Causal interventions on GPT-2 / Pythia ONNX models (the engine behind the Patchbay workbench)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // An uncoded error is a case the engine does not check yet: say so, rather than print raw runtime text.
    const msg = isPatchbayError(e) ? `${e.code}: ${e.message}` : `INTERNAL: ${(e as Error).message} (an unexpected failure: please report it)`;
    process.stderr.write(`patchbay: ${msg.split('\n')[0]}\n`);
    return 1;
  }
}
