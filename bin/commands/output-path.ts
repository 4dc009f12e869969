// Output files of the CLI (--out, --save-noise): checked before any work starts, so a missing folder does not cost
// a whole run and then lose its result; a write that still fails is a coded error naming the file.
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PatchbayError } from '../../engine/errors.js';

const invalid = (message: string, flag: string) => new PatchbayError('OUTPUT_PATH_INVALID', message, flag);

/** Throws OUTPUT_PATH_INVALID unless `path` names a file Patchbay can create or replace. */
export function checkOutputPath(path: string | undefined, flag: string): void {
  if (path === undefined) return;
  if (path.trim() === '') throw invalid('is empty: give a file name', flag);
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw invalid(`${path} is a folder: give a file name inside it`, flag);
  const dir = dirname(abs);
  if (!existsSync(dir)) throw invalid(`the folder ${dir} does not exist: create it first (mkdir -p ${dir})`, flag);
  if (!statSync(dir).isDirectory()) throw invalid(`${dir} is a file, not a folder`, flag);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw invalid(`the folder ${dir} is not writable`, flag);
  }
}

/** Writes an output file; a failure (disk full, removed folder) is a coded error naming the file. */
export function writeOutput(path: string, text: string, flag: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw invalid(`could not write ${path}: ${(e as Error).message}`, flag);
  }
}
