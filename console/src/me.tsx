// The signed-in operator as /api/admin/me answers, and what they may do (see access.ts).
import { createContext, useContext, type ReactNode } from 'react'
import { useQuery } from '@tanstack/react-query'
import { api, unwrap } from './api/client'
import { allowedActions, type Action } from './access'
import type { OperatorSession } from './session'
import type { Answer } from './api/types'

interface Access {
  operator: OperatorSession['operator'] | undefined
  can: (action: Action) => boolean
}

const AccessContext = createContext<Access>({ operator: undefined, can: () => false })

export function AccessProvider({
  session,
  children,
}: {
  session: OperatorSession | null
  children: ReactNode
}) {
  const me = useQuery({
    queryKey: ['me', session?.token],
    enabled: Boolean(session),
    queryFn: ({ signal }) => unwrap(api.GET('/api/admin/me', { signal })),
    // Until it answers, the role given at login decides.
    placeholderData: session?.operator as Answer<'/api/admin/me'> | undefined,
    staleTime: 60_000,
  })
  const operator = me.data ?? session?.operator
  const allowed = allowedActions(operator)
  return (
    <AccessContext.Provider value={{ operator, can: (a) => allowed.has(a) }}>
      {children}
    </AccessContext.Provider>
  )
}

export const useAccess = () => useContext(AccessContext)
