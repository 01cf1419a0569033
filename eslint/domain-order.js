// The order of the domains inside shared/, lowest first. A domain may import the ground floor and the
// domains in layers below its own, never a peer in its layer or anything above: where a lower domain
// must react to a higher one, the higher one (or a flow in flows/) calls it. The README's layout
// section shows this list; a test checks that the two agree.
export const domainLayers = [
  ['.'],
  ['db'],
  ['jobs'],
  ['settings'],
  ['members'],
  ['auth', 'catalog'],
  ['points'],
  ['tiers'],
  ['benefits', 'rewards'],
  ['coupons'],
  ['marketing', 'bargain'],
  ['orders'],
  ['referral', 'lottery'],
  ['flows'],
  ['payments'],
  ['after-sale', 'stores'],
  ['wechat'],
  ['segments', 'reports'],
  ['card'],
  ['chat'],
  ['campaigns'],
  ['demo'],
]

const layerOf = new Map(domainLayers.flatMap((layer, i) => layer.map((d) => [d, i])))

/** The domain of a path inside shared/ ('.' for files at its top), or null outside it. */
export function domainOf(relativeToShared) {
  if (relativeToShared.startsWith('..')) return null
  const parts = relativeToShared.split(/[\\/]/)
  return parts.length === 1 ? '.' : parts[0]
}

/** ESLint rule `shared/domain-order`: reports an import that goes up (or sideways) the order. */
export function domainOrderRule(path) {
  return {
    meta: {
      type: 'problem',
      docs: { description: 'domains in shared/ import only the domains below them' },
      schema: [],
    },
    create(context) {
      const sharedRoot = path.resolve(context.cwd ?? process.cwd(), 'shared')
      const file = context.filename ?? context.getFilename()
      const own = domainOf(path.relative(sharedRoot, file))
      if (own === null) return {}
      const check = (node, source) => {
        if (typeof source !== 'string' || !source.startsWith('.')) return
        const target = domainOf(path.relative(sharedRoot, path.resolve(path.dirname(file), source)))
        if (target === null || target === own) return
        const from = layerOf.get(own)
        const to = layerOf.get(target)
        if (from === undefined)
          return context.report({
            node,
            message: `shared/${own}/ is not in the domain order (eslint/domain-order.js)`,
          })
        if (to === undefined)
          return context.report({
            node,
            message: `shared/${target}/ is not in the domain order (eslint/domain-order.js)`,
          })
        if (to >= from)
          context.report({
            node,
            message: `shared/${own}/ may not import shared/${target}/: ${to === from ? 'they are peers' : `${target} sits above ${own}`} in the domain order (README, Layout)`,
          })
      }
      return {
        ImportDeclaration: (node) => check(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
        ExportAllDeclaration: (node) => check(node, node.source.value),
        ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      }
    },
  }
}
