/** Median of the numbers (mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function range(values: readonly number[]): { min: number; max: number } | undefined {
  if (values.length === 0) return undefined
  return { min: Math.min(...values), max: Math.max(...values) }
}
