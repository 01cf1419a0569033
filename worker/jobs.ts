// Every scheduled job of the system, in one place: each domain keeps its own list in worker/jobs/.
import type { JobDefinition } from './scheduler'
import { coreJobs } from './jobs/core'
import { loyaltyJobs } from './jobs/loyalty'
import { storeJobs } from './jobs/store'
import { referralJobs } from './jobs/referral'

export const jobs: JobDefinition[] = [...coreJobs, ...loyaltyJobs, ...storeJobs, ...referralJobs]
