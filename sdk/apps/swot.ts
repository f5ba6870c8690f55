/** Strengths, weaknesses, opportunities and threats: every app the cooperative runs carries one. */
export interface Swot {
  readonly strengths: readonly string[];
  readonly weaknesses: readonly string[];
  readonly opportunities: readonly string[];
  readonly threats: readonly string[];
}
