// Reading experiment documents and the side files their parameters name, for CLI commands.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PatchbayError } from '../../engine/errors.js';
import { validateExperiment, type ExperimentDoc } from '../../engine/experiment/experiment-schema.js';
import type { SideFiles } from '../../engine/interventions/params.js';

export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new PatchbayError('EXPERIMENT_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
}

export async function readDocument(file: string): Promise<ExperimentDoc> {
  const v = validateExperiment(await readJson(file));
  if (!v.ok) {
    const more = v.errors.length > 1 ? ` (and ${v.errors.length - 1} more)` : '';
    throw new PatchbayError('EXPERIMENT_INVALID', `${v.errors[0]!.path}: ${v.errors[0]!.message}${more}`);
  }
  return v.value;
}

/** Binary files named by parameters ({"file": "rotation.f32", …}), read relative to the document. */
export async function readSideFiles(doc: ExperimentDoc, docFile: string): Promise<SideFiles> {
  const files: SideFiles = {};
  for (const rep of doc.config.representations) {
    for (const value of Object.values(rep.params ?? {})) {
      const name = (value as { file?: unknown } | null)?.file;
      if (typeof name !== 'string' || files[name]) continue;
      try {
        const buf = await readFile(resolve(dirname(docFile), name));
        files[name] = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        throw new PatchbayError('INTERVENTION_INVALID', `cannot read side file ${name}: ${(e as Error).message}`);
      }
    }
  }
  return files;
}

/** A trace document's "noise_file" (read relative to the document, as --save-noise wrote it) inlined as "noise_values". */
export async function withNoiseFile(json: unknown, file: string): Promise<unknown> {
  const o = json as { kind?: unknown; noise_file?: unknown } | null;
  if (o?.kind !== 'trace' || typeof o.noise_file !== 'string') return json;
  const data = await readJson(resolve(dirname(file), o.noise_file));
  const values = Array.isArray(data) ? data : (data as { values?: unknown } | null)?.values;
  if (!Array.isArray(values)) throw new PatchbayError('TRACE_INVALID', `${o.noise_file} must hold [samples][subject tokens][d_model] numbers (or {"values": …})`, 'noise_file');
  const { noise_file: _, ...rest } = o;
  return { ...rest, noise_values: values };
}
