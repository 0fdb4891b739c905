import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const summary = core.summary as unknown as {
  addRaw: jest.Mock<(markdown: string) => unknown>
}
const {
  Annotator,
  table,
  details,
  mermaid,
  codeBlock,
  cell,
  writeSummary,
  maskSecret,
  SUMMARY_LIMIT_BYTES
} = await import('../src/index.js')

beforeEach(() => {
  jest.clearAllMocks()
})

describe('Annotator', () => {
  it('shows at most 10 per kind and keeps the rest for the summary', () => {
    const annotator = new Annotator()
    for (let i = 1; i <= 13; i++) {
      annotator.add({
        kind: 'error',
        message: `E${i}`,
        file: 'app/views.py',
        line: i,
        column: 2
      })
    }
    annotator.add({ kind: 'warning', message: 'W1' })
    expect(core.error).toHaveBeenCalledTimes(10)
    expect(core.warning).toHaveBeenCalledTimes(1)
    expect(core.error).toHaveBeenCalledWith(
      'E1',
      expect.objectContaining({
        file: 'app/views.py',
        startLine: 1,
        startColumn: 2
      })
    )
    expect(annotator.overflow.map((a) => a.message)).toEqual([
      'E11',
      'E12',
      'E13'
    ])
    expect(annotator.count('error')).toBe(13)
    const markdown = annotator.overflowMarkdown()
    expect(markdown).toContain(
      "3 more finding(s) beyond GitHub's 10 annotations per kind"
    )
    expect(markdown).toContain('| error | app/views.py:13:2 |  | E13 |')
  })

  it('has nothing to add to the summary when within the limit', () => {
    const annotator = new Annotator()
    annotator.add({ kind: 'notice', message: 'fine' })
    expect(annotator.overflowMarkdown()).toBe('')
  })

  it('scrubs secrets from messages', () => {
    maskSecret('annotation-secret')
    const annotator = new Annotator()
    annotator.add({ kind: 'error', message: 'bad annotation-secret' })
    expect(core.error).toHaveBeenCalledWith('bad ***', expect.anything())
  })
})

describe('summary helpers', () => {
  it('builds tables with escaped cells', () => {
    expect(
      table(
        ['a', 'b'],
        [
          ['x|y', 'line\nbreak'],
          [1, undefined]
        ]
      )
    ).toBe('| a | b |\n| --- | --- |\n| x\\|y | line<br>break |\n| 1 |  |')
    expect(cell(null)).toBe('')
  })

  it('builds details, mermaid and code blocks', () => {
    expect(details('More <info>', 'body')).toBe(
      '<details><summary>More &lt;info&gt;</summary>\n\nbody\n\n</details>'
    )
    expect(mermaid(' graph LR; a-->b ')).toBe(
      '```mermaid\ngraph LR; a-->b\n```'
    )
    expect(codeBlock('has ``` inside')).toBe('~~~~\nhas ``` inside\n~~~~')
  })

  it('writes scrubbed summaries and cuts them at 1 MiB', async () => {
    process.env['GITHUB_STEP_SUMMARY'] = '/dev/null'
    maskSecret('summary-secret')
    await writeSummary('# Title', 'token summary-secret')
    expect(summary.addRaw).toHaveBeenCalledWith('# Title\n\ntoken ***\n')
    await writeSummary('x'.repeat(SUMMARY_LIMIT_BYTES + 10))
    const written = summary.addRaw.mock.calls.at(-1)?.[0] ?? ''
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES)
    expect(written).toContain('Summary cut short')
    delete process.env['GITHUB_STEP_SUMMARY']
  })
})
