/**
 * The workflow rules of issue #11 as functions over a workflow's text, so
 * that each can be shown to fail on a bad fixture as well as to pass on the
 * real workflows. A finding names the file, the line and the rule.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit
} from 'yaml'

export type RuleName =
  | 'write-permission-without-comment'
  | 'unpinned-action'
  | 'pull-request-target'
  | 'secrets-inherit'
  | 'expression-in-run'

export interface Finding {
  file: string
  /** 1-based. */
  line: number
  rule: RuleName
  message: string
}

export const RULES: readonly RuleName[] = [
  'write-permission-without-comment',
  'unpinned-action',
  'pull-request-target',
  'secrets-inherit',
  'expression-in-run'
]

/** `file:line: rule: message`, the way the test failures print. */
export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: ${finding.rule}: ${finding.message}`
}

const indentOf = (line: string): number => /^ */.exec(line)?.[0].length ?? 0
const isComment = (line: string | undefined): boolean =>
  line !== undefined && line.trim().startsWith('#')
const hasTrailingComment = (line: string): boolean => / #\s*\S/.test(line)

/**
 * A write grant (`<scope>: write`, `write-all`) needs a comment saying why:
 * on its line, on the line above it, or above (or on) its `permissions:` key.
 */
function writePermissions(file: string, lines: string[]): Finding[] {
  const findings: Finding[] = []
  lines.forEach((line, i) => {
    const match = /^(\s*)permissions:\s*(.*)$/.exec(line)
    if (!match) return
    const keyCommented = isComment(lines[i - 1]) || hasTrailingComment(line)
    const inline = (match[2] ?? '').replace(/\s+#.*$/, '')
    const grants: Array<[number, string]> = []
    if (inline) grants.push([i, inline])
    else {
      const indent = (match[1] ?? '').length
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j] ?? ''
        if (!next.trim() || isComment(next)) continue
        if (indentOf(next) <= indent) break
        grants.push([j, next])
      }
    }
    for (const [at, grant] of grants) {
      if (!/\bwrite(-all)?\b/.test(grant.replace(/#.*$/, ''))) continue
      const commented =
        keyCommented ||
        hasTrailingComment(lines[at] ?? '') ||
        (at > i && isComment(lines[at - 1]))
      if (!commented) {
        findings.push({
          file,
          line: at + 1,
          rule: 'write-permission-without-comment',
          message: `'${grant.trim()}' grants write access without a comment saying why`
        })
      }
    }
  })
  return findings
}

/** A third-party action is pinned by a full commit SHA; a container by digest. */
function unpinnedActions(file: string, lines: string[]): Finding[] {
  const findings: Finding[] = []
  lines.forEach((line, i) => {
    const match = /^\s*(?:- )?uses:\s*['"]?([^'"\s#]+)/.exec(line)
    const ref = match?.[1]
    if (!ref || ref.startsWith('./')) return
    const pinned = ref.startsWith('docker://')
      ? /@sha256:[0-9a-f]{64}$/.test(ref)
      : /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref)
    if (!pinned) {
      findings.push({
        file,
        line: i + 1,
        rule: 'unpinned-action',
        message: `'${ref}' is not pinned by a full commit SHA (or image digest)`
      })
    }
  })
  return findings
}

function lineMatches(
  file: string,
  lines: string[],
  pattern: RegExp,
  rule: RuleName,
  message: string
): Finding[] {
  const findings: Finding[] = []
  lines.forEach((line, i) => {
    if (pattern.test(line.replace(/(^|\s)#.*$/, '')))
      findings.push({ file, line: i + 1, rule, message })
  })
  return findings
}

/** `${{ }}` inside a `run:` script: values reach shells through `env` only. */
function expressionsInRun(file: string, text: string): Finding[] {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  const findings: Finding[] = []
  visit(doc, {
    Pair(_key, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || pair.key.value !== 'run')
        return
      const value = pair.value
      if (!isScalar(value) || typeof value.value !== 'string') return
      const [start, , end] = value.range ?? [0, 0, 0]
      const source = text.slice(start, end)
      let at = source.indexOf('${{')
      while (at >= 0) {
        findings.push({
          file,
          line: lineCounter.linePos(start + at).line,
          rule: 'expression-in-run',
          message:
            'a ${{ }} expression inside a run: script; pass it through env'
        })
        at = source.indexOf('${{', at + 3)
      }
    }
  })
  return findings
}

/** The events of `on:` (a name, a list or a map). */
function events(text: string): string[] {
  const doc = parseDocument(text)
  const on = doc.get('on', true) ?? doc.get(true, true)
  if (isScalar(on)) return [String(on.value)]
  if (isSeq(on))
    return on.items.map((item) => String(isScalar(item) ? item.value : item))
  if (isMap(on))
    return on.items.map((pair) =>
      String(isScalar(pair.key) ? pair.key.value : pair.key)
    )
  return []
}

/** Every finding of every rule in one workflow's text. */
export function checkWorkflow(file: string, text: string): Finding[] {
  const lines = text.split('\n')
  const findings = [
    ...writePermissions(file, lines),
    ...unpinnedActions(file, lines),
    ...expressionsInRun(file, text),
    ...lineMatches(
      file,
      lines,
      /secrets:\s*['"]?inherit\b/,
      'secrets-inherit',
      "'secrets: inherit' passes every secret; pass them one by one"
    )
  ]
  if (events(text).includes('pull_request_target')) {
    findings.push(
      ...lineMatches(
        file,
        lines,
        /\bpull_request_target\b/,
        'pull-request-target',
        "pull_request_target runs untrusted code with the base repository's secrets"
      )
    )
  }
  return findings.sort((a, b) => a.line - b.line)
}
