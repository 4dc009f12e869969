// Resolves model references for Node hosts (CLI, tests, benchmarks): bundled ids from public/models, folders and
// .onnx files on disk, URLs and Hugging Face repo ids over fetch. Node only; the browser has its own resolver.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchbayError } from '../errors.js';
import type { AccessResolver, OpenOptions } from './open-model.js';
import { folderAccess } from '../io/node-access.js';
import { httpAccess } from '../io/http-access.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLED_DIR = join(REPO_ROOT, 'public/models');

export interface BundledManifest {
  id: string;
  display_name?: string;
  description?: string;
  family?: string;
  files?: { model?: string };
  [key: string]: unknown;
}

export function bundledIds(): string[] {
  const index = join(BUNDLED_DIR, 'index.json');
  if (!existsSync(index)) return [];
  return (JSON.parse(readFileSync(index, 'utf8')) as { models: string[] }).models;
}

export function bundledManifest(id: string): BundledManifest {
  return JSON.parse(readFileSync(join(BUNDLED_DIR, id, 'patchbay.json'), 'utf8')) as BundledManifest;
}

/** Options for openModel on this machine: the bundled ids, and local paths that win over hub ids. */
export function nodeOpenOptions(): OpenOptions {
  return { bundledIds: bundledIds(), localPathExists: (p) => existsSync(resolve(p)) };
}

export const nodeResolver: AccessResolver = async (ref) => {
  switch (ref.kind) {
    case 'bundled':
      return { access: folderAccess(join(BUNDLED_DIR, ref.id)), modelFile: bundledManifest(ref.id).files?.model };
    case 'path': {
      const p = resolve(ref.path);
      if (!existsSync(p)) throw new PatchbayError('MODEL_NOT_FOUND', `no such file or folder: ${p}`);
      if (statSync(p).isDirectory()) return { access: folderAccess(p) };
      // A loose .onnx file: its config.json is beside it, or one level up for the hub's onnx/ folder.
      const dir = dirname(p);
      const root = basename(dir) === 'onnx' ? dirname(dir) : dir;
      return { access: folderAccess(root), modelFile: root === dir ? basename(p) : `onnx/${basename(p)}` };
    }
    case 'url':
      if (ref.isOnnxFile) {
        const cut = ref.url.lastIndexOf('/');
        return { access: httpAccess(ref.url.slice(0, cut)), modelFile: ref.url.slice(cut + 1) };
      }
      return { access: httpAccess(ref.url) };
    case 'hub':
      return { access: httpAccess(ref.url) };
  }
};
