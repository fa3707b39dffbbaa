/**
 * Confidence bounds for a nearest-rank percentile taken from n independent samples.
 * The estimate X(k), k = ceil(p·n), is ≤ the true quantile at rank r exactly when at
 * least k samples fall below it: P = P(Binomial(n, r) ≥ k). Solving that for
 * P = α/2 and 1 − α/2 gives the ranks between which the estimate lies with
 * probability 1 − α.
 */
export function percentileRankInterval(n: number, p: number, alpha = 0.001): [number, number] {
  const k = Math.ceil(p * n);
  return [solveRank(n, k, alpha / 2), solveRank(n, k, 1 - alpha / 2)];
}

function solveRank(n: number, k: number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialUpperTail(n, mid, k) < target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** P(Binomial(n, r) ≥ k), summed in log space. */
function binomialUpperTail(n: number, r: number, k: number): number {
  const lnN = logFactorial(n);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(lnN - logFactorial(i) - logFactorial(n - i) + i * Math.log(r) + (n - i) * Math.log1p(-r));
  }
  return sum;
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials[i] = logFactorials[i - 1]! + Math.log(i);
  return logFactorials[n]!;
}
