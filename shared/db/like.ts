// Searches match what was typed: LIKE's wildcards (% and _) and its escape (\) in user input are literal.
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** `%text%` with the text's own wildcards escaped, for ilike/like. */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`
