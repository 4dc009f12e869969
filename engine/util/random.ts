// Seeded random numbers: mulberry32 for uniforms, Box–Muller for standard normals. Same seed → same numbers in
// Node and every browser, so a shared link reproduces its noise exactly.

export interface Rng {
  uniform(): number;
  gaussian(): number;
}

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | undefined;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: log(0) never happens
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, gaussian };
}
