// Which puppet runs an account: the mock puppet (demo mode and tests) or a real one by configuration.
// The mock is extended where wechaty-puppet-mock answers with fixed values (remarks, friend requests,
// links and mini-program cards, creating and joining groups), so the features behave as on WeChat.
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { MemoryCard } from 'memory-card'
import { WechatyBuilder, types, type payloads, type Wechaty } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { PuppetServer } from 'wechaty-puppet-service'
import { PuppetWechat4u } from 'wechaty-puppet-wechat4u'
import { puppets, puppetToken } from '../shared/chat/accounts'
import { PuppetStartError, ServicePuppet, serviceEndpoint, tokenServerName } from './puppet-service'
import type { BotAccount } from '../shared/db/schema/chat'
import type { Config } from '../shared/config'

export interface BuiltBot {
  bot: Wechaty
  /** Present for mock-puppet accounts: drives the simulated WeChat in demo mode and tests. */
  mocker?: mock.Mocker
  puppet?: SimulatedWeChatPuppet
  /** Releases what the bot needed besides itself (the demo's local puppet server), after bot.stop(). */
  close?: () => Promise<void>
}

/** wechaty-puppet-mock with the behaviour our features rely on. */
export class SimulatedWeChatPuppet extends PuppetMock {
  private readonly friendships = new Map<string, payloads.Friendship>()
  private readonly links = new Map<string, payloads.UrlLink>()
  private readonly cards = new Map<string, payloads.MiniProgram>()
  readonly announcements = new Map<string, string>()

  // The simulated WeChat's payloads are always current: invalidate the cache at once instead of waiting
  // for a round trip (the base class waits up to 5 s for a 'dirty' echo the mock never sends).
  private invalidate(payloadType: number, payloadId: string) {
    ;(this as unknown as { onDirty(e: { payloadType: number; payloadId: string }): void }).onDirty({
      payloadType,
      payloadId,
    })
  }

  override async contactPayloadDirty(id: string): Promise<void> {
    this.invalidate(types.Dirty.Contact, id)
  }

  override async roomPayloadDirty(id: string): Promise<void> {
    this.invalidate(types.Dirty.Room, id)
  }

  override async roomMemberPayloadDirty(id: string): Promise<void> {
    this.invalidate(types.Dirty.RoomMember, id)
  }

  /** Each simulated account has its own contact QR (wechaty-puppet-mock answers one fixed code). */
  override async contactSelfQRCode(): Promise<string> {
    return `https://u.wechat.com/simulated-${encodeURIComponent(this.currentUserId)}`
  }

  override async contactAlias(contactId: string): Promise<string>
  override async contactAlias(contactId: string, alias: string | null): Promise<void>
  override async contactAlias(contactId: string, alias?: string | null): Promise<void | string> {
    const payload = this.mocker.contactPayload(contactId)
    if (alias === undefined) return payload.alias ?? ''
    this.mocker.contactPayload(contactId, { ...payload, alias: alias ?? undefined })
    await this.contactPayloadDirty(contactId)
  }

  override async friendshipRawPayload(id: string): Promise<payloads.Friendship> {
    const payload = this.friendships.get(id)
    if (!payload) throw new Error(`no friendship ${id}`)
    return payload
  }

  override async friendshipAccept(friendshipId: string): Promise<void> {
    const payload = this.friendships.get(friendshipId)
    if (!payload) throw new Error(`no friendship ${friendshipId}`)
    const contact = this.mocker.contactPayload(payload.contactId)
    this.mocker.contactPayload(payload.contactId, { ...contact, friend: true })
    this.friendships.set(friendshipId, { ...payload, type: types.Friendship.Confirm } as payloads.Friendship)
  }

  /** Someone asks to be this account's friend, with a greeting. */
  receiveFriendRequest(
    contact: mock.ContactMock,
    hello: string,
    scene = types.FriendshipScene.QRCode,
  ): string {
    const id = randomUUID()
    const current = this.mocker.contactPayload(contact.id)
    this.mocker.contactPayload(contact.id, { ...current, friend: false })
    this.friendships.set(id, {
      id,
      contactId: contact.id,
      hello,
      scene,
      ticket: randomUUID(),
      timestamp: Math.floor(Date.now() / 1000),
      type: types.Friendship.Receive,
    })
    this.emit('friendship', { friendshipId: id })
    return id
  }

  /** A contact posts a link (an article, a store page) into a room or a 1:1 chat. */
  postLink(from: mock.ContactMock, to: mock.RoomMock | mock.ContactMock, link: payloads.UrlLink): string {
    const id = randomUUID()
    this.links.set(id, link)
    this.postSpecial(id, from, to, types.Message.Url, link.url)
    return id
  }

  /** A contact shares a mini-program card. */
  postMiniProgram(
    from: mock.ContactMock,
    to: mock.RoomMock | mock.ContactMock,
    card: payloads.MiniProgram,
  ): string {
    const id = randomUUID()
    this.cards.set(id, card)
    this.postSpecial(id, from, to, types.Message.MiniProgram, card.title ?? '')
    return id
  }

  private postSpecial(
    id: string,
    from: mock.ContactMock,
    to: mock.RoomMock | mock.ContactMock,
    type: types.Message,
    text: string,
  ) {
    const isRoom = to.id.includes('@')
    const payload = {
      id,
      talkerId: from.id,
      timestamp: Date.now(),
      type,
      text,
      ...(isRoom ? { roomId: to.id, mentionIdList: [] } : { listenerId: to.id }),
    } as payloads.Message
    this.mocker.MessageMock.create(payload)
    this.emit('message', { messageId: id })
  }

  override async messageUrl(messageId: string): Promise<payloads.UrlLink> {
    return this.links.get(messageId) ?? super.messageUrl(messageId)
  }

  override async messageMiniProgram(messageId: string): Promise<payloads.MiniProgram> {
    return this.cards.get(messageId) ?? super.messageMiniProgram(messageId)
  }

  override async roomCreate(contactIdList: string[], topic: string): Promise<string> {
    const room = this.mocker.createRoom({
      topic,
      memberIdList: [this.currentUserId, ...contactIdList],
      ownerId: this.currentUserId,
    })
    return room.id
  }

  override async roomAdd(roomId: string, contactId: string): Promise<void> {
    const room = this.mocker.RoomMock.load(roomId)
    if (room.payload.memberIdList.includes(contactId)) return
    // The invitee joins straight away in the simulation.
    room.add(this.mocker.ContactMock.load(contactId)).by(this.mocker.ContactMock.load(this.currentUserId))
  }

  override async roomAnnounce(roomId: string): Promise<string>
  override async roomAnnounce(roomId: string, text: string): Promise<void>
  override async roomAnnounce(roomId: string, text?: string): Promise<void | string> {
    if (text === undefined) return this.announcements.get(roomId) ?? ''
    this.announcements.set(roomId, text)
  }
}

/**
 * wechaty-puppet-wechat4u whose logout hook cannot reject unhandled: stopping the puppet discards its
 * wechat4u client while that hook is still running, and the hook then calls start() on nothing.
 */
export class Wechat4uPuppet extends PuppetWechat4u {
  override async onStart(): Promise<void> {
    await super.onStart()
    const self = this as unknown as { wechat4u?: NodeJS.EventEmitter }
    const client = self.wechat4u
    if (!client) return
    for (const listener of client.listeners('logout')) {
      client.off('logout', listener as (...args: unknown[]) => void)
      client.on('logout', (...args: unknown[]) => {
        void Promise.resolve()
          .then(() => listener.apply(client, args))
          .catch((err: unknown) => {
            // Stopped meanwhile: nothing is left to report to.
            if (self.wechat4u === client && this.listenerCount('error') > 0) {
              this.emit('error', { data: String((err as Error)?.message ?? err) })
            }
          })
      })
    }
  }
}

export type PuppetName = (typeof puppets)[number]

/** The puppet an account runs on: its own, or the configured default. */
export const puppetOf = (account: Pick<BotAccount, 'puppet'>, config: Pick<Config, 'WECHATY_PUPPET'>) =>
  (account.puppet ?? config.WECHATY_PUPPET) as PuppetName

type BuildConfig = Pick<
  Config,
  | 'WECHATY_PUPPET'
  | 'WECHATY_PUPPET_SERVICE_TOKEN'
  | 'WECHATY_PUPPET_SERVICE_ENDPOINT'
  | 'WECHATY_PUPPET_SERVICE_DISCOVERY_URL'
  | 'WECHATY_PUPPET_SERVICE_NO_TLS'
  | 'DEMO_PUPPET_SERVICE'
  | 'SECRET_KEY'
  | 'DATA_DIR'
>

/**
 * The account's memory card (for wechat4u its login session) under DATA_DIR/wechaty, never in the
 * working directory; the mock keeps nothing.
 */
export function memoryCardFor(account: Pick<BotAccount, 'name'>, puppet: PuppetName, dataDir: string) {
  if (puppet === 'wechaty-puppet-mock') return new MemoryCard({ storageOptions: { type: 'nop' } })
  const dir = path.resolve(dataDir, 'wechaty')
  mkdirSync(dir, { recursive: true })
  return new MemoryCard({ name: path.join(dir, account.name), storageOptions: { type: 'file' } })
}

/**
 * A Wechaty for the account on its puppet. Rejects (never throws into an event loop) with a reason an
 * operator can read when the puppet cannot be set up: no token, a token nobody knows, an unknown puppet.
 */
export async function buildBot(
  account: Pick<BotAccount, 'name' | 'puppet' | 'puppetTokenEncrypted'>,
  config: BuildConfig,
): Promise<BuiltBot> {
  const puppetName = puppetOf(account, config)
  const memory = memoryCardFor(account, puppetName, config.DATA_DIR)
  // Wechaty loads only the cards it makes itself: one handed in must be loaded first, or the puppet's
  // share of it throws "no payload, please call load() first" and the account never starts.
  await memory.load()
  if (puppetName === 'wechaty-puppet-mock' && config.DEMO_PUPPET_SERVICE) {
    return demoOverTheWire(account, memory, config)
  }
  if (puppetName === 'wechaty-puppet-mock') {
    const mocker = new mock.Mocker()
    const puppet = new SimulatedWeChatPuppet({ mocker })
    return { bot: WechatyBuilder.build({ name: account.name, puppet, memory }), mocker, puppet }
  }
  if (puppetName === 'wechaty-puppet-service') {
    const token = puppetToken(account, config)
    if (!token) {
      throw new PuppetStartError(
        'wechaty-puppet-service 需要 token：请设置 WECHATY_PUPPET_SERVICE_TOKEN 或为账号设置 token',
      )
    }
    if (!tokenServerName(token) && !config.WECHATY_PUPPET_SERVICE_NO_TLS) {
      throw new PuppetStartError('token 格式不对：应以服务商前缀开头，如 puppet_padlocal_…')
    }
    const endpoint = await serviceEndpoint(token, config)
    const puppet = new ServicePuppet({
      endpoint,
      token,
      cacheDir: path.resolve(config.DATA_DIR, 'wechaty', 'puppet-service'),
      ...(config.WECHATY_PUPPET_SERVICE_NO_TLS ? { tls: { disable: true } } : {}),
    })
    return { bot: WechatyBuilder.build({ name: account.name, puppet, memory }) }
  }
  if (puppetName === 'wechaty-puppet-wechat4u') {
    return { bot: WechatyBuilder.build({ name: account.name, puppet: new Wechat4uPuppet(), memory }) }
  }
  throw new PuppetStartError(`未知的 puppet「${String(puppetName)}」`)
}

const freeLoopbackPort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

/**
 * Demo mode over the real wire (DEMO_PUPPET_SERVICE): the account's simulated WeChat is served by a
 * PuppetServer on a loopback port — the protocol a token provider speaks — and the account runs on
 * wechaty-puppet-service against it. The token is the account's own and stable ("insecure_" selects
 * the TLS certificate wechaty-puppet-service ships for local use), so its payload cache is reused.
 */
async function demoOverTheWire(
  account: Pick<BotAccount, 'name'>,
  memory: MemoryCard,
  config: Pick<Config, 'DATA_DIR'>,
): Promise<BuiltBot> {
  const mocker = new mock.Mocker()
  const served = new SimulatedWeChatPuppet({ mocker })
  const token = `insecure_demo-${createHash('sha256').update(account.name).digest('hex').slice(0, 24)}`
  const endpoint = `127.0.0.1:${await freeLoopbackPort()}`
  const server = new PuppetServer({ endpoint, puppet: served, token })
  await server.start()
  const puppet = new ServicePuppet({
    endpoint,
    token,
    cacheDir: path.resolve(config.DATA_DIR, 'wechaty', 'demo-wire'),
  })
  return {
    bot: WechatyBuilder.build({ name: account.name, puppet, memory }),
    mocker,
    puppet: served,
    close: () => server.stop(),
  }
}
