// The lifecycle stages in journey order, with no dependency at all, so the console can import the list.
// The same list as the members schema's `lifecycleStages` (a test checks they agree).
export const funnelStages = ['stranger', 'intention', 'customer', 'repurchaser', 'super_user'] as const
export type FunnelStage = (typeof funnelStages)[number]
