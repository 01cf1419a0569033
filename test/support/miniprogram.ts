// The mini-program in a simulator of its runtime: its TypeScript compiled to CommonJS the way WeChat
// DevTools does it (into a temporary copy, nothing committed), pages loaded with miniprogram-simulate
// (j-component renders the WXML and runs the page's logic), and `wx` answered the way a phone would:
// wx.request goes over HTTP to the real app under test, storage lives in memory, wx.login and
// wx.requestPayment are handed to the test, and toasts, modals and navigation are recorded.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'

const require = createRequire(import.meta.url)
const source = path.resolve(__dirname, '../../miniprogram')

/** Compile the mini-program into a fresh folder; returns its root. */
export function buildMiniprogram(): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'mp-build-'))
  cpSync(source, root, {
    recursive: true,
    filter: (from) => !from.includes(`${path.sep}node_modules`) && !from.endsWith('.d.ts'),
  })
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (name.endsWith('.ts')) {
        const out = ts.transpileModule(readFileSync(full, 'utf8'), {
          compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2020,
            esModuleInterop: true,
          },
          fileName: full,
        })
        writeFileSync(full.replace(/\.ts$/, '.js'), out.outputText)
        rmSync(full)
      }
    }
  }
  walk(root)
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) }
}

/**
 * j-component renders into a DOM: a jsdom window as globals, in the node environment (vitest's jsdom
 * environment would replace Node's URL and Blob, which the server and PGlite need).
 */
function installDom(): void {
  const g = globalThis as any
  if (g.window) return
  const { JSDOM } = require('jsdom')
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>')
  g.window = dom.window
  g.document = dom.window.document
  for (const key of [
    'Element',
    'HTMLElement',
    'Node',
    'Text',
    'Comment',
    'DocumentFragment',
    'MutationObserver',
    'getComputedStyle',
  ])
    if (!(key in g)) g[key] = dom.window[key]
  // j-component dispatches with the global Event, which must be the DOM's (Node has its own).
  g.Event = dom.window.Event
  g.CustomEvent = dom.window.CustomEvent
}

type Callbacks = { success?: (res: any) => void; fail?: (err: any) => void; complete?: (res: any) => void }

function settle<T>(options: Callbacks, work: () => Promise<T>): Promise<T | undefined> {
  return work().then(
    (res) => {
      options.success?.(res)
      options.complete?.(res)
      return res
    },
    (err) => {
      options.fail?.(err)
      options.complete?.(err)
      return undefined
    },
  )
}

export interface Recorded {
  toasts: string[]
  modals: { title?: string; content?: string }[]
  navigations: { kind: string; url: string }[]
  requests: { method: string; url: string; status: number }[]
}

export interface Phone {
  /** What wx.login hands out; defaults to a fresh code each time. */
  loginCode: () => string
  /** What happens when a page calls wx.requestPayment (the member pays, or cancels). */
  pay: (params: { package: string }) => Promise<void>
  /** A request whose path matches fails like a dropped connection (for error states). */
  failRequests: RegExp | null
  /** Answer modals with confirm (true) or cancel (false). */
  confirmModals: boolean
  recorded: Recorded
  storage: Map<string, unknown>
  /** What the mini-program registered with wx.onNeedPrivacyAuthorization (WeChat calls it). */
  privacyHandler: ((resolve: (result: unknown) => void) => void) | null
  /** Resolves once no request is in flight and the promise chains after them have run. */
  idle(): Promise<void>
}

/** Install `wx`, `Page`, `getApp` for pages that talk to the app at `appUrl`. */
export function installPhone(appUrl: string): Phone {
  installDom()
  require('miniprogram-simulate')
  const wx = (globalThis as any).wx
  const inFlight = new Set<Promise<unknown>>()
  let loginSeq = 0
  const phone: Phone = {
    loginCode: () => `simulated-login-${++loginSeq}`,
    pay: async () => {
      throw new Error('no payment expected')
    },
    failRequests: null,
    confirmModals: true,
    privacyHandler: null,
    recorded: { toasts: [], modals: [], navigations: [], requests: [] },
    storage: new Map(),
    async idle() {
      for (let round = 0; round < 50; round++) {
        await new Promise((resolve) => setImmediate(resolve))
        if (inFlight.size === 0) {
          await new Promise((resolve) => setImmediate(resolve))
          if (inFlight.size === 0) return
        }
        await Promise.allSettled([...inFlight])
      }
      throw new Error('requests never settled')
    },
  }
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p)
    p.finally(() => inFlight.delete(p)).catch(() => undefined)
    return p
  }

  wx.request = (
    options: Callbacks & { url: string; method?: string; header?: Record<string, string>; data?: unknown },
  ) => {
    const url = new URL(options.url)
    const target = appUrl + url.pathname + url.search
    const method = options.method ?? 'GET'
    track(
      (async () => {
        if (phone.failRequests?.test(url.pathname)) {
          phone.recorded.requests.push({ method, url: url.pathname, status: 0 })
          options.fail?.({ errMsg: 'request:fail simulated network error' })
          return
        }
        const res = await fetch(target, {
          method,
          headers: options.header as Record<string, string>,
          body: options.data === undefined || method === 'GET' ? undefined : JSON.stringify(options.data),
        })
        const text = await res.text()
        let data: unknown = text
        try {
          data = text ? JSON.parse(text) : ''
        } catch {
          // not JSON
        }
        phone.recorded.requests.push({ method, url: url.pathname, status: res.status })
        options.success?.({
          statusCode: res.status,
          data,
          header: {},
          cookies: [],
          errMsg: 'request:ok',
        } as never)
      })(),
    )
    return { abort() {} }
  }
  wx.login = (options: Callbacks) =>
    settle(options, async () => ({ code: phone.loginCode(), errMsg: 'login:ok' }))
  wx.requestPayment = (options: Callbacks & { package: string }) =>
    track(settle(options, async () => (await phone.pay(options), { errMsg: 'requestPayment:ok' })))
  wx.getStorageSync = (key: string) => (phone.storage.has(key) ? phone.storage.get(key) : '')
  wx.setStorageSync = (key: string, value: unknown) => void phone.storage.set(key, value)
  wx.removeStorageSync = (key: string) => void phone.storage.delete(key)
  wx.showToast = (options: { title: string }) => void phone.recorded.toasts.push(options.title)
  wx.showModal = (options: Callbacks & { title?: string; content?: string }) => {
    phone.recorded.modals.push({ title: options.title, content: options.content })
    void settle(options, async () => ({ confirm: phone.confirmModals, cancel: !phone.confirmModals }))
  }
  for (const kind of ['navigateTo', 'redirectTo', 'switchTab', 'reLaunch'])
    wx[kind] = (options: Callbacks & { url: string }) => {
      phone.recorded.navigations.push({ kind, url: options.url })
      void settle(options, async () => ({ errMsg: `${kind}:ok` }))
    }
  wx.stopPullDownRefresh = () => undefined
  wx.setNavigationBarTitle = () => undefined
  wx.showShareMenu = () => undefined
  wx.requestSubscribeMessage = (options: Callbacks) => void settle(options, async () => ({ errMsg: 'ok' }))
  wx.setClipboardData = (options: Callbacks & { data: string }) =>
    void settle(options, async () => ({ errMsg: 'setClipboardData:ok' }))
  wx.onNeedPrivacyAuthorization = (handler: (resolve: (r: unknown) => void) => void) => {
    phone.privacyHandler = handler
  }
  wx.openPrivacyContract = () => undefined
  wx.chooseAddress = (options: Callbacks) =>
    void settle(options, async () => ({
      userName: '王丽',
      telNumber: '13812345678',
      provinceName: '上海市',
      cityName: '上海市',
      countyName: '静安区',
      detailInfo: '南京西路 1266 号',
      errMsg: 'chooseAddress:ok',
    }))

  // Pages as j-component components: data stays data, every function becomes a method.
  ;(globalThis as any).Page = (options: Record<string, unknown>) => {
    const { data, ...rest } = options
    const methods: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(rest)) if (typeof value === 'function') methods[key] = value
    ;(globalThis as any).Component({ data, methods })
  }
  ;(globalThis as any).getApp = () => ({ globalData: {} })
  ;(globalThis as any).getCurrentPages = () => []
  return phone
}

export interface PageHandle {
  instance: any
  root: any
  text(): string
  /** The text of the first element with this class. */
  textOf(selector: string): string
  /** Tap (j-component dispatches on a microtask); resolves once the handler has started. */
  tap(selector: string, index?: number): Promise<void>
  /** Fire a component event (e.g. a button's open-type event) on the first match. */
  trigger(selector: string, event: string, detail?: unknown): Promise<void>
  exists(selector: string): boolean
  count(selector: string): number
  unload(): void
}

/** Load a page (e.g. 'pages/card/card') and run onLoad(query) then onShow(). */
export function openPage(root: string, page: string, query: Record<string, string> = {}): PageHandle {
  const simulate = require('miniprogram-simulate')
  const id = simulate.load(path.join(root, page), { compiler: 'simulate', rootPath: root })
  const component = simulate.render(id)
  component.attach((globalThis as any).document.createElement('parent-wrapper'))
  const instance = component.instance
  instance.onLoad?.(query)
  instance.onShow?.()
  const all = (selector: string) => component.querySelectorAll(selector) as any[]
  return {
    instance,
    root: component,
    text: () => String(component.dom.textContent).replace(/\s+/g, ' ').trim(),
    textOf: (selector) =>
      String(component.querySelector(selector)?.dom.textContent ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
    async tap(selector, index = 0) {
      const el = all(selector)[index]
      if (!el) throw new Error(`no ${selector} to tap`)
      el.dispatchEvent('tap')
      await new Promise((resolve) => setImmediate(resolve))
    },
    async trigger(selector, event, detail = {}) {
      const el = all(selector)[0]
      if (!el) throw new Error(`no ${selector} for ${event}`)
      el.dispatchEvent(event, { detail })
      await new Promise((resolve) => setImmediate(resolve))
    },
    exists: (selector) => all(selector).length > 0,
    count: (selector) => all(selector).length,
    unload() {
      instance.onHide?.()
      instance.onUnload?.()
      component.detach()
    },
  }
}
