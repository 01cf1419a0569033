// Routes: the login page, and every section of the console inside the signed-in layout.
import { Suspense, useCallback, useEffect, useState } from 'react'
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router'
import { App as AntApp, ConfigProvider, Result, Spin } from 'antd'
import { QueryClientProvider } from '@tanstack/react-query'
import zhCN from 'antd/locale/zh_CN'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import { SESSION_EXPIRED } from './api/client'
import { queryClient } from './api/query'
import { AccessProvider, useAccess } from './me'
import type { Action } from './access'
import { clearSession, loadSession, saveSession, type OperatorSession } from './session'
import { ConsoleLayout } from './layout'
import { LoginPage } from './pages/login-page'
import { NotFoundPage } from './pages/not-found-page'
import { sectionGroups, visibleGroups } from './navigation'

dayjs.locale('zh-cn')

const loading = (
  <div style={{ padding: 48, textAlign: 'center' }}>
    <Spin />
  </div>
)

function RequireSession({
  session,
  children,
}: {
  session: OperatorSession | null
  children: React.ReactNode
}) {
  const location = useLocation()
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />
  return <>{children}</>
}

/** A section the operator may not open: the first one they may, or a refusal. */
function RequireAction({ action, children }: { action: Action; children: React.ReactNode }) {
  const { can } = useAccess()
  if (can(action)) return <>{children}</>
  const first = visibleGroups(can)[0]?.sections[0]
  if (first && action === 'dashboard.view') return <Navigate to={first.path} replace />
  return <Result status="403" title="没有权限" subTitle="你的角色不能使用这个页面" />
}

export function App() {
  const [session, setSession] = useState(loadSession)
  useEffect(() => {
    const expired = () => setSession(null)
    window.addEventListener(SESSION_EXPIRED, expired)
    return () => window.removeEventListener(SESSION_EXPIRED, expired)
  }, [])
  const signIn = useCallback((s: OperatorSession) => {
    saveSession(s)
    setSession(s)
  }, [])
  const signOut = useCallback(() => {
    clearSession()
    queryClient.clear()
    setSession(null)
  }, [])

  const pages = sectionGroups
    .flatMap((g) => g.sections)
    .flatMap((s) => [s, ...(s.children ?? []).map((c) => ({ ...c, action: s.action }))])
  return (
    <ConfigProvider
      locale={zhCN}
      button={{ autoInsertSpace: false }}
      theme={{ token: { colorPrimary: '#c2410c', borderRadius: 6 } }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <AccessProvider session={session}>
            <BrowserRouter basename="/console">
              <Routes>
                <Route path="/login" element={<LoginPage session={session} onSignIn={signIn} />} />
                <Route
                  element={
                    <RequireSession session={session}>
                      <ConsoleLayout onSignOut={signOut} />
                    </RequireSession>
                  }
                >
                  {pages.map(({ path, page: Page, action }) => (
                    <Route
                      key={path}
                      path={path}
                      element={
                        <RequireAction action={action}>
                          <Suspense fallback={loading}>
                            <Page />
                          </Suspense>
                        </RequireAction>
                      }
                    />
                  ))}
                  <Route path="*" element={<NotFoundPage />} />
                </Route>
              </Routes>
            </BrowserRouter>
          </AccessProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  )
}
