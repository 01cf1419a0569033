// Which puppet runs an account: the mock puppet (demo mode and tests) or a real one by configuration.
import { WechatyBuilder, type Wechaty } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import type { BotAccount } from '../shared/chat/schema'
import type { Config } from '../shared/config'

export interface BuiltBot {
  bot: Wechaty
  /** Present for mock-puppet accounts: drives the simulated WeChat in demo mode and tests. */
  mocker?: mock.Mocker
}

export function buildBot(
  account: Pick<BotAccount, 'name' | 'puppet'>,
  config: Pick<Config, 'WECHATY_PUPPET_SERVICE_TOKEN'>,
): BuiltBot {
  if (account.puppet === 'wechaty-puppet-mock') {
    const mocker = new mock.Mocker()
    const puppet = new PuppetMock({ mocker })
    return { bot: WechatyBuilder.build({ name: account.name, puppet }), mocker }
  }
  if (account.puppet === 'wechaty-puppet-service') {
    if (!config.WECHATY_PUPPET_SERVICE_TOKEN) {
      throw new Error(`account ${account.name}: wechaty-puppet-service needs WECHATY_PUPPET_SERVICE_TOKEN`)
    }
    return {
      bot: WechatyBuilder.build({
        name: account.name,
        puppet: 'wechaty-puppet-service',
        puppetOptions: { token: config.WECHATY_PUPPET_SERVICE_TOKEN },
      }),
    }
  }
  if (account.puppet === 'wechaty-puppet-wechat4u') {
    return { bot: WechatyBuilder.build({ name: account.name, puppet: 'wechaty-puppet-wechat4u' }) }
  }
  throw new Error(`account ${account.name}: unknown puppet "${account.puppet}"`)
}
