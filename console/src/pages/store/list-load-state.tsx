// A store list's failure states: nothing loaded yet → a full-page error with 重试; an earlier answer
// still on screen → the error above it with 重试, and the list below.
import type { ReactNode } from 'react'
import { Alert, Button, Result } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import type { ApiError } from '../../api'

export function ListLoadState({
  title,
  error,
  loaded,
  onRetry,
  children,
}: {
  /** What failed to load, e.g. 秒杀加载失败. */
  title: string
  error: ApiError | undefined
  loaded: boolean
  onRetry: () => void
  children: ReactNode
}) {
  if (error && !loaded)
    return (
      <Result
        status="error"
        title={title}
        subTitle={error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={onRetry}>
            重试
          </Button>
        }
      />
    )
  return (
    <>
      {error && (
        <Alert
          type="error"
          showIcon
          title={error.message}
          style={{ marginBottom: 16 }}
          action={
            <Button size="small" onClick={onRetry}>
              重试
            </Button>
          }
        />
      )}
      {children}
    </>
  )
}
