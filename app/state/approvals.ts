// Which origins the user lets Patchbay download models from. Bundled models (our origin) and the Hugging Face hub
// are approved from the start; any other origin named by a link is fetched only after the user says yes.
import type { ModelRef } from '../link/schema';

const KEY = 'patchbay.approvedOrigins';
export const HUB = 'https://huggingface.co';

/** The origin a model reference downloads from, or null when it downloads nothing (bundled, local, none). */
export function modelOrigin(ref: ModelRef): string | null {
  try {
    if (ref.kind === 'hub') return new URL(ref.endpoint ?? HUB).origin;
    if (ref.kind === 'url') return new URL(ref.url).origin;
  } catch {
    return 'invalid';
  }
  return null;
}

function stored(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function isApproved(origin: string | null): boolean {
  if (origin === null) return true;
  if (origin === 'invalid') return false;
  return origin === HUB || origin === globalThis.location?.origin || stored().includes(origin);
}

export function approve(origin: string, remember: boolean): void {
  session.add(origin);
  if (!remember) return;
  try {
    localStorage.setItem(KEY, JSON.stringify([...new Set([...stored(), origin])]));
  } catch {
    // Storage may be unavailable (private mode); the approval then lasts for this page only.
  }
}

/** The origins the user chose "Always allow" for (the hub and our own origin are not listed: always allowed). */
export function rememberedOrigins(): string[] {
  return stored();
}

/** Forgets an approval, remembered or for this page: the next link naming that origin asks again. */
export function revoke(origin: string): void {
  session.delete(origin);
  try {
    localStorage.setItem(KEY, JSON.stringify(stored().filter((o) => o !== origin)));
  } catch {
    // Storage unavailable: nothing was remembered there.
  }
}

/** Origins approved for this page only ("allow once"). */
const session = new Set<string>();

/** Origins allowed for this page only ("Allow once"), for the list of approvals. */
export function sessionOrigins(): string[] {
  return [...session].filter((o) => !stored().includes(o));
}

export function isApprovedNow(origin: string | null): boolean {
  return isApproved(origin) || (origin !== null && session.has(origin));
}
