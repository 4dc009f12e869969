// Where the browser tests find model files on disk: the bundled GPT-2 facts model, served as if it were a hub repo.
import { resolve } from 'node:path';

export const GPT2_FACTS_DIR = resolve(import.meta.dirname, '../../public/models/gpt2-facts');
export const HUB_REPO = 'patchbay-test/gpt2-facts';
