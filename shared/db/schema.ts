// Every table, for drizzle-kit and for code that needs the whole model.
export * from '../members/schema'
export * from '../auth/schema'
export * from '../catalog/schema'
export * from '../orders/schema'
export * from '../loyalty/schema'
export * from '../referral/schema'
export * from '../chat/schema'
export * from '../jobs/schema'
