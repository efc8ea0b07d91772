import { describe, expect, it } from 'vitest';
import { selectBenches } from '../bench/_select.js';

const benches = ['api-during-collect', 'api-overview', 'collect-run', 'collect-scale', 'exports', 'root-events'];

describe('npm run bench NAME', () => {
  it('selects a bench by its exact name', () => {
    expect(selectBenches(benches, 'collect-run')).toEqual(['collect-run']);
    expect(selectBenches(benches, 'exports')).toEqual(['exports']);
  });
  it('selects the benches a name starts as a whole word, never ones that merely contain it', () => {
    expect(selectBenches(benches, 'collect')).toEqual(['collect-run', 'collect-scale']);
    expect(selectBenches(benches, 'api')).toEqual(['api-during-collect', 'api-overview']);
    expect(selectBenches(benches, 'run')).toEqual([]);
    expect(selectBenches(benches, 'coll')).toEqual([]);
  });
});
