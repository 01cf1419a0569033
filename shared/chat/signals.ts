// What WeChat says when it limits or bans an account, as the puppets pass it on. Pure matchers, used
// by the sender (a refused action) and the supervisor (a session ended by WeChat).

/** "Slow down": the action kind pauses. */
const LIMITED = /too frequent|frequen|rate.?limit|limit(ed)?\b|频繁|上限|限制|操作过于/i

/** The session was ended because the account is banned or restricted: its members move. */
const BANNED =
  /ban(ned)?\b|block(ed)?\b|封号|封禁|被封|违规|限制登录|永久|账号异常|account (is )?(restricted|suspended)/i

export const isLimitError = (message: string) => LIMITED.test(message)
export const isBanReason = (reason: string) => BANNED.test(reason)
