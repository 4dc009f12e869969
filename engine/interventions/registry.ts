// The intervention types Patchbay knows, by pyvene class name. Adding a type = one file + one line here.
import { PatchbayError } from '../errors.js';
import type { InterventionType } from './intervention-type.js';
import { vanilla } from './vanilla.js';
import { addition } from './addition.js';
import { subtraction } from './subtraction.js';
import { zero } from './zero.js';
import { collect } from './collect.js';
import { noise } from './noise.js';
import { skip } from './skip.js';
import { rotatedSpace } from './rotated-space.js';
import { lowRankRotatedSpace } from './low-rank-rotated-space.js';
import { boundlessRotatedSpace } from './boundless-rotated-space.js';
import { sigmoidMaskRotatedSpace } from './sigmoid-mask-rotated-space.js';
import { sigmoidMask } from './sigmoid-mask.js';
import { pcaRotatedSpace } from './pca-rotated-space.js';

export const INTERVENTION_TYPES: readonly InterventionType<never>[] = [
  vanilla, addition, subtraction, zero, collect, noise, skip, rotatedSpace, lowRankRotatedSpace, boundlessRotatedSpace,
  sigmoidMaskRotatedSpace, sigmoidMask, pcaRotatedSpace,
] as InterventionType<never>[];

/** Accepts "VanillaIntervention", "pyvene.VanillaIntervention" and "<class 'pyvene.models.interventions.VanillaIntervention'>". */
export function interventionTypeName(raw: string): string {
  const m = /([A-Za-z_][A-Za-z0-9_]*)'?>?\s*$/.exec(raw.trim());
  return m ? m[1]! : raw;
}

export function lookupIntervention(raw: string, path?: string): InterventionType<Record<string, unknown>> {
  const name = interventionTypeName(raw);
  const found = INTERVENTION_TYPES.find((t) => t.name === name);
  if (!found) {
    throw new PatchbayError('INTERVENTION_UNKNOWN',
      `unknown intervention type "${raw}"; Patchbay knows ${INTERVENTION_TYPES.map((t) => t.name).join(', ')}`, path);
  }
  return found as unknown as InterventionType<Record<string, unknown>>;
}
