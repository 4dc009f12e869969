// The share link: encode(experiment) → text for the URL fragment, decode(text) → experiment or a clear error.
// Format: "<codec>.<payload>", codec 1 = base64url(deflate-raw(UTF-8 JSON)); the JSON carries its schema version "v".
// decode never throws, never executes or fetches anything: it only parses data, with size limits at every step.
import { deflateSync, Inflate } from 'fflate';
import { migrate } from './migrations';
import { CURRENT_VERSION, ExperimentSchema, type Experiment } from './schema';

export type LinkErrorCode = 'LINK_EMPTY' | 'LINK_TOO_LONG' | 'LINK_CORRUPT' | 'LINK_INVALID' | 'LINK_TOO_NEW';
export type DecodeResult = { ok: true; value: Experiment } | { ok: false; error: { code: LinkErrorCode; message: string } };

/** Limits: a link longer than this is not ours; a payload inflating past this is a zip bomb or garbage. */
export const MAX_LINK_CHARS = 32_000;
export const MAX_JSON_BYTES = 256 * 1024;
/** No experiment nests deeper than this (pyvene's unit_locations need ~8 levels); deeper is hostile or garbage. */
export const MAX_JSON_DEPTH = 32;
const CODEC = '1';

export function encode(experiment: Experiment): string {
  const json = JSON.stringify({ ...experiment, v: CURRENT_VERSION });
  return `${CODEC}.${toBase64Url(deflateSync(new TextEncoder().encode(json), { level: 9 }))}`;
}

export function decode(text: string): DecodeResult {
  try {
    return decodeUnsafe(text);
  } catch (e) {
    // Every step below checks its input; this is the last line of defence for the "never throws" promise.
    return fail('LINK_CORRUPT', `the link could not be read (${e instanceof Error ? e.message : 'unknown error'})`);
  }
}

function decodeUnsafe(text: string): DecodeResult {
  if (typeof text !== 'string' || text.trim() === '') return fail('LINK_EMPTY', 'the link has no experiment in it');
  if (text.length > MAX_LINK_CHARS) return fail('LINK_TOO_LONG', `the link is ${text.length} characters long; Patchbay links are at most ${MAX_LINK_CHARS}`);
  const dot = text.indexOf('.');
  const codec = dot < 0 ? '' : text.slice(0, dot);
  if (codec !== CODEC) return fail('LINK_CORRUPT', 'the link does not start the way Patchbay links do: it may have been cut or edited');
  const bytes = fromBase64Url(text.slice(dot + 1));
  if (!bytes) return fail('LINK_CORRUPT', 'the link contains characters a Patchbay link never has: it may have been cut or edited');
  const raw = inflateLimited(bytes);
  if (raw === 'too-big') return fail('LINK_CORRUPT', 'the link expands to more data than any experiment has');
  if (!raw) return fail('LINK_CORRUPT', 'the link is damaged (its compressed data is cut short or altered)');
  let jsonText: string;
  let json: unknown;
  try {
    jsonText = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    json = JSON.parse(jsonText);
  } catch {
    return fail('LINK_CORRUPT', 'the link is damaged (its contents are not valid JSON)');
  }
  const depth = jsonDepth(jsonText);
  if (depth > MAX_JSON_DEPTH) {
    return fail('LINK_INVALID', `the link's experiment nests ${depth} levels deep; experiments nest at most ${MAX_JSON_DEPTH}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('LINK_INVALID', 'the link does not hold an experiment');
  const migrated = migrate(json as Record<string, unknown>);
  if (!migrated.ok) {
    const code = migrated.message.includes('newer Patchbay') ? 'LINK_TOO_NEW' : 'LINK_INVALID';
    return fail(code, `the link's experiment cannot be opened: ${migrated.message}`);
  }
  const final = ExperimentSchema.safeParse(migrated.value);
  if (!final.success) return fail('LINK_INVALID', 'the link\'s experiment does not match this version of Patchbay');
  return { ok: true, value: final.data };
}

/** The deepest nesting of brackets and braces in valid JSON text, counted without recursion. */
export function jsonDepth(json: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function fail(code: LinkErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}

function inflateLimited(bytes: Uint8Array): Uint8Array | 'too-big' | undefined {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  let tooBig = false;
  const inflate = new Inflate((chunk, final) => {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) tooBig = true;
    else chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    // Feed in small pieces so a bomb is noticed before it has expanded far.
    for (let i = 0; i < bytes.length && !tooBig; i += 1024) inflate.push(bytes.subarray(i, i + 1024), i + 1024 >= bytes.length);
  } catch {
    return tooBig ? 'too-big' : undefined;
  }
  if (tooBig) return 'too-big';
  if (!ended) return undefined;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
