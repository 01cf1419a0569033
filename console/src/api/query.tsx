// Loading and changing data through react-query: one client for the console, and the three states
// every screen shows the same way — loading, empty, and an error with a retry button.
import type { ReactNode } from 'react'
import { QueryClient, type UseQueryResult } from '@tanstack/react-query'
import { Alert, Button, Empty, Skeleton } from 'antd'
import { ApiError } from './client'

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A client mistake or a missing record will not get better by asking again.
      retry: (failures, error) =>
        failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
    mutations: { retry: false },
  },
})

export const errorMessage = (error: unknown) =>
  error instanceof ApiError ? error.message : error instanceof Error ? error.message : '加载失败，请稍后重试'

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Alert
      type="error"
      showIcon
      data-testid="load-error"
      message={errorMessage(error)}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            重试
          </Button>
        )
      }
    />
  )
}

/** Renders a query's answer, or its loading skeleton, its error with a retry, or an empty notice. */
export function QueryView<T>({
  query,
  empty,
  isEmpty,
  rows = 4,
  children,
}: {
  query: UseQueryResult<T>
  empty?: ReactNode
  isEmpty?: (data: T) => boolean
  rows?: number
  children: (data: T) => ReactNode
}) {
  if (query.isPending) return <Skeleton active paragraph={{ rows }} />
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />
  if (isEmpty?.(query.data)) return <Empty description={empty ?? '暂无数据'} />
  return <>{children(query.data)}</>
}
