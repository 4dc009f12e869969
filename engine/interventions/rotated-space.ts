// RotatedSpaceIntervention (DAS): rotate base and source by an orthogonal R (rotated = x·R), exchange the chosen
// rotated coordinates (subspaces, or the first interchange_dim), rotate back. As a projection:
// x' = x + (s − x)·W·Wᵀ with W = R's chosen columns. `rotation` is F×F (pyvene's rotate_layer.weight).
import { range } from './basis.js';
import { defineRotationType, RotationParams } from './rotation-type.js';

export const rotatedSpace = defineRotationType('RotatedSpaceIntervention', RotationParams, (_p, coords, features) => ({ cols: coords ?? range(features) }));
