// The Probe vs DAS grids (positions × layers on a 0–1 scale, row labels from the tokens) and the settings' text fields.
import { describe, expect, it } from 'vitest';
import type { DasOutput } from '../../workers/das-op';
import { dasGrid, parseLayers, parseNames, parsePositions } from './probe-grids';

describe('probe grids', () => {
  it('lays cells out as positions × layers, with the token at each position', () => {
    const cell = (layer: number, position: number, iia: number) => ({ layer, position, iia, probe_accuracy: 1, probe_control: 0.5, loss: 0 });
    const r = { cells: [cell(0, -1, 0.1), cell(0, -2, 0.2), cell(2, -1, 0.9), cell(2, -2, 0)], position_tokens: { [-1]: ' because', [-2]: ' walked' } } as unknown as DasOutput;
    const g = dasGrid(r, 'iia');
    expect(g.rows).toEqual([' walked (−2)', ' because (−1)']);
    expect(g.columns).toEqual(['0', '2']);
    expect(g.values).toEqual([[0.2, 0], [0.1, 0.9]]);
    expect(g.domain).toEqual([0, 1]);
    expect(dasGrid(r, 'probe_control').values).toEqual([[0.5, 0.5], [0.5, 0.5]]);
  });

  it('parses layers, positions and names, and names what is wrong', () => {
    expect(parseLayers(' 3, 0,3 ')).toEqual({ ok: true, value: [0, 3] });
    expect(parseLayers('')).toEqual({ ok: true, value: [] });
    expect(parseLayers('1, x')).toEqual({ ok: false, error: '"x" is not a layer number' });
    expect(parsePositions('last')).toEqual({ ok: true, value: 'last' });
    expect(parsePositions('−4, −1')).toEqual({ ok: true, value: [-4, -1] });
    expect(parsePositions('1.5')).toEqual({ ok: false, error: '"1.5" is not a token index' });
    expect(parseNames('James, Robert\n Sarah ,,')).toEqual(['James', 'Robert', 'Sarah']);
  });
});
