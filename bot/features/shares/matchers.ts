// Is this a share of our store? A link to one of the brand's hosts, or a card of its mini-program;
// the sharer's code travels in the link (`sc`, `share` or `scene`).
export interface ShareRules {
  storeHosts: string[]
  miniProgramAppIds: string[]
}

export interface ShareHit {
  via: 'link' | 'mini_program'
  url: string | null
  title: string | null
  shareCode: string | null
}

const URL_IN_TEXT = /https?:\/\/[^\s"'<>，。]+/g

function hostMatches(host: string, hosts: string[]): boolean {
  const h = host.toLowerCase()
  return hosts.some((s) => h === s.toLowerCase() || h.endsWith(`.${s.toLowerCase()}`))
}

function shareCodeOf(url: URL | string | null): string | null {
  if (!url) return null
  const params =
    typeof url === 'string'
      ? new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '')
      : url.searchParams
  const code = params.get('sc') ?? params.get('share') ?? params.get('scene')
  return code && /^[\w-]{1,32}$/.test(code) ? code : null
}

export function matchLink(rules: ShareRules, url: string, title: string | null = null): ShareHit | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (!hostMatches(parsed.hostname, rules.storeHosts)) return null
  return { via: 'link', url, title, shareCode: shareCodeOf(parsed) }
}

export function matchTextLinks(rules: ShareRules, text: string): ShareHit | null {
  for (const url of text.match(URL_IN_TEXT) ?? []) {
    const hit = matchLink(rules, url)
    if (hit) return hit
  }
  return null
}

export function matchMiniProgram(
  rules: ShareRules,
  card: { appid?: string; title?: string; pagePath?: string },
): ShareHit | null {
  if (!card.appid || !rules.miniProgramAppIds.includes(card.appid)) return null
  return {
    via: 'mini_program',
    url: card.pagePath ?? null,
    title: card.title ?? null,
    shareCode: shareCodeOf(card.pagePath ?? null),
  }
}
