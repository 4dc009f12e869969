// Adam (Kingma & Ba 2015) over one flat parameter vector, as torch.optim.Adam computes it (bias-corrected moments,
// ε added to the corrected second moment's square root). Stage: training.

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  readonly lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(size: number, opts: AdamOptions) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.lr = opts.lr;
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }

  /** One step: param ← param − lr · m̂ / (√v̂ + ε). `lr` overrides the constructor's rate (schedules). */
  step(param: Float64Array, grad: ArrayLike<number>, lr = this.lr): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t;
    const c2 = 1 - this.b2 ** this.t;
    for (let i = 0; i < param.length; i++) {
      const g = grad[i]!;
      this.m[i] = this.b1 * this.m[i]! + (1 - this.b1) * g;
      this.v[i] = this.b2 * this.v[i]! + (1 - this.b2) * g * g;
      param[i]! -= (lr * (this.m[i]! / c1)) / (Math.sqrt(this.v[i]! / c2) + this.eps);
    }
  }
}
