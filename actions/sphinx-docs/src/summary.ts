/**
 * The job summary: the build's result, pages and modules, every warning with
 * its place, broken links, and the Read the Docs build with its links and,
 * when it failed, the failing command and the end of its output.
 */
import { codeBlock, details, table } from '@shipyard/action-kit'
import type { BuildResult, LinkcheckResult } from './build.js'
import type { RtdOutcome } from './rtd.js'
import { describeWarning, workspaceRelative } from './warnings.js'

/** Warnings listed in the summary; the count says how many there were in all. */
const SUMMARY_WARNINGS = 200

export interface SummaryInput {
  workspace: string
  builder: string
  warningsAsErrors: boolean
  sphinxVersion: string
  environment: string
  build: BuildResult
  failed: boolean
  modules: readonly string[]
  apidocSources: readonly string[]
  bootstrapped: readonly string[]
  linkcheck?: LinkcheckResult & { strict: boolean }
  rtd?: RtdOutcome
  /** Why Read the Docs was not called. */
  rtdSkipped?: string
}

const rel = (workspace: string, file: string): string =>
  workspaceRelative(workspace, file) ?? file

function where(workspace: string, file?: string, line?: number): string {
  if (!file) return ''
  return `${rel(workspace, file)}${line ? `:${line}` : ''}`
}

function rtdSection(rtd: RtdOutcome): string {
  const icon: Record<string, string> = {
    success: '✅',
    failure: '❌',
    cancelled: '⛔',
    timeout: '⏱️',
    triggered: '🚀'
  }
  const rows: string[][] = [
    ['build', `[#${rtd.buildId}](${rtd.url})`],
    ['result', `${icon[rtd.status] ?? ''} ${rtd.status}`],
    ['states', rtd.states.join(' → ')]
  ]
  if (rtd.durationS !== undefined) rows.push(['duration', `${rtd.durationS} s`])
  if (rtd.documentationUrl) {
    rows.push(['documentation', `<${rtd.documentationUrl}>`])
  }
  const parts = ['### Read the Docs', table(['', ''], rows)]
  if (rtd.failedCommand) {
    parts.push(
      `The command that failed (exit code ${rtd.failedCommand.exitCode}):`,
      codeBlock(rtd.failedCommand.command, 'sh'),
      'The end of its output:',
      codeBlock(rtd.failedCommand.outputTail || '(no output)')
    )
  } else if (rtd.status === 'failure') {
    parts.push(
      `Read the Docs reports the build failed without naming the command: see [its page](${rtd.url}).`
    )
  }
  return parts.join('\n\n')
}

export function summaryMarkdown(input: SummaryInput): string {
  const { build, workspace } = input
  const htmlDir = rel(workspace, build.outDir)
  const result = input.failed ? '❌ failed' : '✅ built'
  const sections: string[] = [
    `## sphinx-docs: ${result}`,
    table(
      ['', ''],
      [
        [
          'builder',
          `${input.builder}${input.warningsAsErrors ? ' (warnings as errors)' : ''}`
        ],
        ['pages', String(build.pages)],
        ['modules documented', String(input.modules.length)],
        ['warnings', String(build.warnings.length)],
        ['output', `\`${htmlDir}\``],
        ['Sphinx', `${input.sphinxVersion} (${input.environment})`],
        ['build time', `${(build.durationMs / 1000).toFixed(1)} s`]
      ]
    )
  ]
  if (input.bootstrapped.length > 0) {
    sections.push(
      `> [!NOTE]\n> There was no \`conf.py\`: a minimal Sphinx project was generated and built (${input.bootstrapped.map((f) => `\`${rel(workspace, f)}\``).join(', ')}). Commit it and make it yours.`
    )
  }
  if (build.warnings.length > 0) {
    const shown = build.warnings.slice(0, SUMMARY_WARNINGS)
    const rows = shown.map((w) => [
      where(workspace, w.file, w.line) || '(no location)',
      w.type ?? '',
      describeWarning(w)
    ])
    const more =
      build.warnings.length > shown.length
        ? `\n\n…and ${build.warnings.length - shown.length} more.`
        : ''
    sections.push(
      `### Warnings\n\n${table(['where', 'type', 'message'], rows)}${more}`
    )
  }
  if (input.failed && build.errorTail && build.warnings.length === 0) {
    sections.push(
      `### sphinx-build failed (exit code ${build.exitCode})\n\n${codeBlock(build.errorTail)}`
    )
  }
  if (input.linkcheck) {
    const { broken, checked, strict } = input.linkcheck
    const head = `### Links: ${checked} checked, ${broken.length} broken${strict ? '' : ' (reported, not failing)'}`
    sections.push(
      broken.length === 0
        ? head
        : `${head}\n\n${table(
            ['where', 'link', 'status', 'detail'],
            broken.map((b) => [
              where(workspace, b.file, b.line),
              b.uri,
              b.status,
              b.info
            ])
          )}`
    )
  }
  if (input.modules.length > 0) {
    sections.push(
      details(
        `Modules documented (${input.modules.length}) from ${input.apidocSources.map((s) => rel(workspace, s) || '.').join(', ')}`,
        input.modules.map((m) => `- \`${m}\``).join('\n')
      )
    )
  }
  if (input.rtd) sections.push(rtdSection(input.rtd))
  else if (input.rtdSkipped) {
    sections.push(`### Read the Docs\n\n${input.rtdSkipped}`)
  }
  return sections.join('\n\n')
}
