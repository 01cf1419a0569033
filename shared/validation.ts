// Validation messages that reach members and operators are in Simplified Chinese.
import { z } from 'zod'

z.config(z.locales.zhCN())

export { z }
