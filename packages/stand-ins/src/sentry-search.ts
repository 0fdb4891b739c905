/**
 * Sentry's search syntax as the issues and events endpoints read it
 * (docs.sentry.io/concepts/search/): space-separated `key:value` terms,
 * `key:"quoted value"`, `!key:value` negation, `key:[a, b]` lists, `*`
 * wildcards, `has:key`, `>`/`<` comparisons and relative times (`-24h`) on
 * dates and counts, and free text matched against the message/title. Terms
 * are ANDed; `OR`/`AND` are refused as the issue search refuses them.
 */

export interface SearchTerm {
  /** Undefined for free text. */
  key?: string
  negated: boolean
  op: ':' | '>' | '<' | '>=' | '<='
  values: string[]
}

/** A query Sentry answers 400 for; the message is the `detail`. */
export class SearchError extends Error {}

const KEY = /^([A-Za-z_][\w.-]*(?:\[[^\]]*\])?|[a-z_]+\(\))(:)(>=|<=|>|<)?/

function readQuoted(
  query: string,
  start: number
): { text: string; end: number } {
  let i = start + 1
  let text = ''
  while (i < query.length && query[i] !== '"') {
    if (query[i] === '\\' && i + 1 < query.length) i++
    text += query[i]
    i++
  }
  if (i >= query.length)
    throw new SearchError(
      `Error parsing search query: unterminated quote in ${JSON.stringify(query)}`
    )
  return { text, end: i + 1 }
}

function readWord(query: string, start: number): { text: string; end: number } {
  let i = start
  while (i < query.length && !/\s/.test(query[i])) i++
  return { text: query.slice(start, i), end: i }
}

function readList(
  query: string,
  start: number
): { items: string[]; end: number } {
  const close = query.indexOf(']', start)
  if (close < 0)
    throw new SearchError(
      `Error parsing search query: unterminated list in ${JSON.stringify(query)}`
    )
  const items = query
    .slice(start + 1, close)
    .split(',')
    .map((item) => item.trim().replace(/^"(.*)"$/s, '$1'))
    .filter((item) => item !== '')
  return { items, end: close + 1 }
}

export function parseSearch(query: string): SearchTerm[] {
  const terms: SearchTerm[] = []
  let free: string[] = []
  const flushFree = (): void => {
    if (free.length)
      terms.push({ negated: false, op: ':', values: [free.join(' ')] })
    free = []
  }
  let i = 0
  while (i < query.length) {
    if (/\s/.test(query[i])) {
      i++
      continue
    }
    const negated = query[i] === '!'
    const start = negated ? i + 1 : i
    const match = KEY.exec(query.slice(start))
    if (match) {
      flushFree()
      const key = match[1]
      const op = (match[3] ?? ':') as SearchTerm['op']
      let j = start + match[0].length
      let termValues: string[]
      if (query[j] === '"') {
        const quoted = readQuoted(query, j)
        termValues = [quoted.text]
        j = quoted.end
      } else if (query[j] === '[') {
        const list = readList(query, j)
        termValues = list.items
        j = list.end
      } else {
        const word = readWord(query, j)
        termValues = [word.text]
        j = word.end
      }
      terms.push({ key, negated, op, values: termValues })
      i = j
      continue
    }
    if (query[i] === '"') {
      const quoted = readQuoted(query, i)
      free.push(quoted.text)
      i = quoted.end
      continue
    }
    const word = readWord(query, i)
    if (word.text === 'OR' || word.text === 'AND')
      throw new SearchError(
        'Boolean statements containing "OR" or "AND" are not supported in this search'
      )
    free.push(word.text)
    i = word.end
  }
  flushFree()
  return terms
}

/** `value` against one pattern: exact, or a `*` glob. */
export function valueMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`, 's').test(value)
}

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000
}

/** `14d`, `24h`, `30m` in ms, or undefined. */
export function periodMs(period: string): number | undefined {
  const match = /^(\d+)([smhdw])$/.exec(period)
  if (!match) return undefined
  return Number(match[1]) * UNITS[match[2]]
}

/** A date term (`-24h`, `+7d`, `>2024-01-01T00:00:00`, …) against `ms`. */
export function timeMatches(
  term: SearchTerm,
  ms: number,
  now: number
): boolean {
  const raw = term.values[0] ?? ''
  const relative = /^([+-])(\d+[smhdw])$/.exec(raw)
  if (relative) {
    const limit = now - (periodMs(relative[2]) as number)
    // `-24h`: within the last 24 hours; `+24h`: older than that.
    return relative[1] === '-' ? ms >= limit : ms < limit
  }
  const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`)
  if (!Number.isFinite(at))
    throw new SearchError(
      `Invalid date: ${raw}. Expected +/-duration (i.e. +1h) or ISO 8601-like (i.e. 2024-01-01T00:00:00).`
    )
  switch (term.op) {
    case '>':
      return ms > at
    case '>=':
      return ms >= at
    case '<':
      return ms < at
    case '<=':
      return ms <= at
    default:
      return ms >= at && ms < at + 86_400_000
  }
}

export function numberMatches(term: SearchTerm, value: number): boolean {
  const raw = term.values[0] ?? ''
  const limit = Number(raw)
  if (!Number.isFinite(limit)) throw new SearchError(`Invalid number: ${raw}`)
  switch (term.op) {
    case '>':
      return value > limit
    case '>=':
      return value >= limit
    case '<':
      return value < limit
    case '<=':
      return value <= limit
    default:
      return value === limit
  }
}
