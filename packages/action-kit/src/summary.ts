/**
 * Job-summary building blocks. They return Markdown strings so that callers
 * compose a summary and tests read it; `writeSummary` is the only writer, and
 * it scrubs secrets and keeps within GitHub's 1 MiB per step.
 */
import * as core from '@actions/core'
import { scrub } from './mask.js'

/** The most a step's summary may hold. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024

/** Text safe inside a Markdown table cell. */
export function cell(value: unknown): string {
  let text = ''
  if (typeof value === 'string') text = value
  else if (typeof value === 'object' && value !== null)
    text = JSON.stringify(value)
  else if (typeof value === 'number' || typeof value === 'boolean')
    text = String(value)
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>')
}

export function table(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[]
): string {
  const line = (values: readonly unknown[]): string =>
    `| ${values.map(cell).join(' | ')} |`
  return [
    line(headers),
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map(line)
  ].join('\n')
}

/** A collapsible section. */
export function details(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`
}

export function mermaid(diagram: string): string {
  return '```mermaid\n' + diagram.trim() + '\n```'
}

export function codeBlock(text: string, language = ''): string {
  const fence = text.includes('```') ? '~~~~' : '```'
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Appends Markdown sections to the job summary, secrets scrubbed, cut short
 * with a note rather than rejected when over the limit. Outside a runner (no
 * GITHUB_STEP_SUMMARY) it does nothing.
 */
export async function writeSummary(...sections: string[]): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  let markdown = scrub(sections.filter(Boolean).join('\n\n')) + '\n'
  const room = SUMMARY_LIMIT_BYTES - 200
  if (Buffer.byteLength(markdown) > room) {
    markdown =
      Buffer.from(markdown)
        .subarray(0, room)
        .toString('utf8')
        .replace(/\uFFFD$/, '') +
      '\n\n_Summary cut short: GitHub keeps at most 1 MiB per step._\n'
  }
  await core.summary.addRaw(markdown).write()
}
