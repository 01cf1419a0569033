export const domainLayers: string[][]
export function domainOf(relativeToShared: string): string | null
export function domainOrderRule(path: typeof import('node:path')): unknown
