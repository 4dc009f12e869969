// The trace's up-front checks: a malformed memory budget and a corrupted run too big for the budget are refused
// before anything runs, with the number of samples that would fit; ordinary settings pass.
import { describe, expect, it } from 'vitest';
import { PatchbayError } from '../../errors.js';
import { checkTraceBudget, corruptedBytesPerSample } from './budget-check.js';

const GPT2_FACTS = { dModel: 128, nLayers: 6 };
const GPT2_SMALL = { dModel: 768, nLayers: 12 };

function error(f: () => void): PatchbayError {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchbayError) return e;
    throw e;
  }
  throw new Error('expected a PatchbayError');
}

describe('checkTraceBudget', () => {
  it('counts keys and values of every layer plus embeddings and residual, 4 bytes each (hand computation)', () => {
    expect(corruptedBytesPerSample(GPT2_FACTS, 13)).toBe(4 * 13 * 128 * 14);
  });

  it('refuses 100,000 samples with what they need and what would fit', () => {
    const e = error(() => checkTraceBudget(GPT2_FACTS, { samples: 100_000, seq: 13 }));
    expect(e.code).toBe('TRACE_INVALID');
    expect(e.path).toBe('samples');
    // 100000 × 93,184 B = 8.7 GB; 256 MB / 93,184 B = 2,880 samples
    expect(e.message).toMatch(/100000 samples of 13 tokens need about 8\.7 GB .* budget is 256 MB: use at most 2880 samples/);
  });

  it('accepts ordinary traces: the UI maximum of 200 samples on GPT-2 small, ROME\'s 10 on the bundled models', () => {
    expect(() => checkTraceBudget(GPT2_SMALL, { samples: 200, seq: 15 })).not.toThrow();
    expect(() => checkTraceBudget(GPT2_FACTS, { samples: 10, seq: 13 })).not.toThrow();
    expect(() => checkTraceBudget(GPT2_FACTS, { samples: 2880, seq: 13 })).not.toThrow();
    expect(() => checkTraceBudget(GPT2_FACTS, { samples: 2881, seq: 13 })).toThrow(PatchbayError);
  });

  it('refuses budgets that are not positive numbers', () => {
    for (const mb of [Number.NaN, -5, 0, Infinity]) {
      const e = error(() => checkTraceBudget(GPT2_FACTS, { samples: 10, seq: 13, memoryBudgetMB: mb }));
      expect(e.code).toBe('TRACE_INVALID');
      expect(e.path).toBe('memoryBudgetMB');
    }
  });
});
