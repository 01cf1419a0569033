// Every scheduled job of the system, in one place: each domain keeps its own list in worker/jobs/.
import type { JobDefinition } from './scheduler'
import { coreJobs } from './jobs/core'
import { memberJobs } from './jobs/members'
import { loyaltyJobs } from './jobs/loyalty'
import { storeJobs } from './jobs/store'
import { referralJobs } from './jobs/referral'
import { campaignJobs } from './jobs/campaigns'

export const jobs: JobDefinition[] = [
  ...coreJobs,
  ...memberJobs,
  ...loyaltyJobs,
  ...storeJobs,
  ...referralJobs,
  ...campaignJobs,
]
