/**
 * The job summary: what was built, how it was proved to work, and whether
 * and where it went. Written on success and on failure alike.
 */
import { codeBlock, table, writeSummary } from '@shipyard/action-kit'

export interface PublishReport {
  image: string
  tags: string[]
  engine?: string
  cacheNote?: string
  imageId?: string
  size?: number
  layers?: number
  buildSeconds?: number
  smoke?: { seconds: number; url: string; status: number }
  /** `skipped`, or the failure's first line. */
  smokeNote?: string
  pushed: boolean
  pushNote?: string
  digest?: string
  registry: string
  description?: string
  failure?: string
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

export function renderSummary(report: PublishReport): string {
  const title = report.failure
    ? `### ❌ docker-publish: ${report.image}`
    : `### 🐳 docker-publish: ${report.image}`
  const smoke = report.smoke
    ? `passed: GET ${new URL(report.smoke.url).pathname} → ${report.smoke.status} after ${report.smoke.seconds.toFixed(1)} s`
    : (report.smokeNote ?? 'not run')
  const rows: [string, string][] = [
    ['Tags', report.tags.map((t) => `\`${t}\``).join(' ')],
    ['Engine', report.engine ?? ''],
    ['Cache', report.cacheNote ?? ''],
    ['Image ID', report.imageId ? `\`${report.imageId}\`` : ''],
    [
      'Size',
      report.size !== undefined
        ? `${formatBytes(report.size)} in ${report.layers ?? 0} layers`
        : ''
    ],
    [
      'Build',
      report.buildSeconds !== undefined
        ? `${report.buildSeconds.toFixed(1)} s`
        : ''
    ],
    ['Smoke test', smoke],
    [
      'Pushed',
      report.pushed
        ? `yes, to ${report.registry}`
        : `no${report.pushNote ? ` (${report.pushNote})` : ''}`
    ],
    ['Digest', report.digest ? `\`${report.digest}\`` : ''],
    ['Docker Hub description', report.description ?? '']
  ]
  const parts = [
    title,
    table(
      ['', ''],
      rows.filter(([, value]) => value !== '')
    )
  ]
  if (report.digest) {
    parts.push(
      'Deploy exactly this image:',
      codeBlock(`${report.image}@${report.digest}`)
    )
  }
  if (report.failure) parts.push('**Failed:**', codeBlock(report.failure))
  return parts.join('\n\n')
}

export async function writePublishSummary(
  report: PublishReport
): Promise<void> {
  await writeSummary(renderSummary(report))
}
