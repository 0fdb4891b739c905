/**
 * The OCI labels every image gets from the repository (source, revision,
 * created, title, description, url, version, licenses); the `labels` input
 * overrides any of them. Values that are unknown are left out, never empty.
 */
import type { RunContext } from './github-context.js'

const OCI = 'org.opencontainers.image'

export function ociLabels(
  context: RunContext,
  version: string | undefined,
  extra: Record<string, string>,
  now: Date = new Date()
): Record<string, string> {
  const source = context.repository
    ? `${context.serverUrl.replace(/\/$/, '')}/${context.repository}`
    : undefined
  const title = context.repo.name ?? context.repository.split('/').pop()
  const auto: Record<string, string | undefined> = {
    [`${OCI}.source`]: source,
    [`${OCI}.revision`]: context.sha || undefined,
    [`${OCI}.created`]: now.toISOString(),
    [`${OCI}.title`]: title || undefined,
    [`${OCI}.description`]: context.repo.description,
    [`${OCI}.url`]: context.repo.htmlUrl ?? source,
    [`${OCI}.version`]: version,
    [`${OCI}.licenses`]: context.repo.license
  }
  const labels: Record<string, string> = {}
  for (const [key, value] of Object.entries(auto)) {
    if (value !== undefined) labels[key] = value
  }
  return { ...labels, ...extra }
}
