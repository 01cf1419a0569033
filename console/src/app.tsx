// Routes: the login page, and every section of the console inside the signed-in layout.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react'
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router'
import { App as AntApp, ConfigProvider, Spin } from 'antd'
import zhCN from 'antd/locale/zh_CN'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import { apiRequest, SESSION_EXPIRED } from './api'
import { clearSession, loadSession, saveSession, type OperatorSession } from './session'
import { LoginPage } from './pages/login-page'
import { visibleGroups } from './navigation'

// The signed-in shell (menu, header) and its pages load after sign-in: the login page ships without them.
const ConsoleLayout = lazy(() => import('./layout').then((m) => ({ default: m.ConsoleLayout })))
const PasswordPage = lazy(() => import('./pages/password-page').then((m) => ({ default: m.PasswordPage })))
const NotFoundPage = lazy(() => import('./pages/not-found-page').then((m) => ({ default: m.NotFoundPage })))

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
  if (session.operator.mustChangePassword && location.pathname !== '/password')
    return <Navigate to="/password" replace state={{ from: location.pathname + location.search }} />
  return <>{children}</>
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
    // The server ends the token too; the console forgets it whether or not that call gets through.
    void apiRequest('/logout', { method: 'POST' })
      .catch(() => undefined)
      .finally(() => {
        clearSession()
        setSession(null)
      })
  }, [])
  const passwordChanged = useCallback(() => {
    setSession((s) => {
      if (!s) return s
      const next = { ...s, operator: { ...s.operator, mustChangePassword: false } }
      saveSession(next)
      return next
    })
  }, [])

  const sections = visibleGroups(session?.operator.actions).flatMap((g) => g.sections)
  // A role without the dashboard (store staff, advisors) starts at its first section.
  const home = sections.some((s) => s.path === '/') ? null : sections[0]?.path
  const pages = sections.flatMap((s) => [s, ...(s.children ?? [])])
  return (
    <ConfigProvider
      locale={zhCN}
      button={{ autoInsertSpace: false }}
      theme={{ token: { colorPrimary: '#c2410c', borderRadius: 6 } }}
    >
      <AntApp>
        <BrowserRouter basename="/console">
          <Routes>
            <Route path="/login" element={<LoginPage session={session} onSignIn={signIn} />} />
            <Route
              element={
                <RequireSession session={session}>
                  <Suspense fallback={loading}>
                    <ConsoleLayout operator={session?.operator} onSignOut={signOut} />
                  </Suspense>
                </RequireSession>
              }
            >
              <Route
                path="/password"
                element={
                  <Suspense fallback={loading}>
                    <PasswordPage
                      forced={!!session?.operator.mustChangePassword}
                      onChanged={passwordChanged}
                    />
                  </Suspense>
                }
              />
              {home && <Route path="/" element={<Navigate to={home} replace />} />}
              {pages.map(({ path, page: Page }) => (
                <Route
                  key={path}
                  path={path}
                  element={
                    <Suspense fallback={loading}>
                      <Page />
                    </Suspense>
                  }
                />
              ))}
              <Route
                path="*"
                element={
                  <Suspense fallback={loading}>
                    <NotFoundPage />
                  </Suspense>
                }
              />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  )
}
