import { describe, expect, it } from '@jest/globals'
import type { RunContext } from '../src/github-context.js'
import { ociLabels } from '../src/labels.js'
import { decidePush } from '../src/push-policy.js'
import { planTags, sanitizeTag, semverTags } from '../src/tags.js'

const SHA = 'ABCDEF0123456789abcdef0123456789abcdef01'

function context(overrides: Partial<RunContext> = {}): RunContext {
  return {
    sha: SHA,
    ref: 'refs/heads/main',
    eventName: 'push',
    repository: 'acme/app',
    serverUrl: 'https://github.com',
    repo: { defaultBranch: 'main' },
    ...overrides
  }
}

describe('planTags', () => {
  it('tags the default branch with the SHAs, the branch and latest', () => {
    expect(planTags(context(), [])).toEqual({
      tags: ['sha-abcdef0', SHA.toLowerCase(), 'main', 'latest'],
      notices: [],
      version: 'main'
    })
  })

  it('never tags latest on another branch, and sanitises its name with a notice', () => {
    const plan = planTags(context({ ref: 'refs/heads/feat/Ü ber#1' }), [])
    expect(plan.tags).toEqual(['sha-abcdef0', SHA.toLowerCase(), 'feat-ber-1'])
    expect(plan.notices).toEqual([
      'The branch "feat/Ü ber#1" is not a valid tag; tagged "feat-ber-1" instead.'
    ])
  })

  it('gives no latest, with a notice, when the default branch is unknown', () => {
    const plan = planTags(context({ repo: {} }), [])
    expect(plan.tags).not.toContain('latest')
    expect(plan.notices[0]).toContain('The default branch is unknown')
  })

  it('tags a version tag 1.2.3, 1.2 and 1 (a pre-release only itself), never latest', () => {
    expect(planTags(context({ ref: 'refs/tags/v1.2.3' }), []).tags).toEqual([
      'sha-abcdef0',
      SHA.toLowerCase(),
      '1.2.3',
      '1.2',
      '1'
    ])
    const pre = planTags(context({ ref: 'refs/tags/2.0.0-rc.1' }), [])
    expect(pre.tags.slice(2)).toEqual(['2.0.0-rc.1'])
    expect(pre.version).toBe('2.0.0-rc.1')
    expect(
      planTags(context({ ref: 'refs/tags/release/2024' }), []).tags.slice(2)
    ).toEqual(['release-2024'])
  })

  it('tags a pull request pr-N, then adds the extra tags once each', () => {
    const plan = planTags(
      context({ ref: 'refs/pull/42/merge', eventName: 'pull_request' }),
      ['stable', 'pr-42']
    )
    expect(plan.tags).toEqual([
      'sha-abcdef0',
      SHA.toLowerCase(),
      'pr-42',
      'stable'
    ])
  })

  it('leaves out a ref that gives no valid tag, and refuses a run with no tag at all', () => {
    const plan = planTags(context({ sha: '', ref: 'refs/heads/---' }), ['x'])
    expect(plan.tags).toEqual(['x'])
    expect(plan.notices[0]).toBe(
      'The branch "---" has nothing a tag can hold; it gives no tag.'
    )
    expect(() => planTags(context({ sha: '', ref: '' }), [])).toThrow(
      'No tag for the image: GITHUB_SHA and GITHUB_REF give none and `tags` is empty. Give at least one tag in `tags`.'
    )
    expect(() => planTags(context({ sha: 'not a sha' }), [])).toThrow(
      'GITHUB_SHA "not a sha" is not a commit SHA'
    )
  })

  it('sanitises to at most 128 characters and reads semver strictly', () => {
    expect(sanitizeTag(`.${'a'.repeat(200)}`)).toHaveLength(128)
    expect(sanitizeTag('-.-')).toBe('')
    expect(semverTags('v01.2.3')).toBeUndefined()
    expect(semverTags('1.2')).toBeUndefined()
    expect(semverTags('v0.1.0+build.5')).toEqual(['0.1.0', '0.1', '0'])
  })
})

describe('decidePush', () => {
  it('pushes on the default branch, tags and manual dispatch with credentials', () => {
    expect(decidePush('auto', context(), true)).toEqual({ push: true })
    expect(
      decidePush('auto', context({ ref: 'refs/tags/v1.0.0' }), true).push
    ).toBe(true)
    expect(
      decidePush(
        'auto',
        context({ ref: 'refs/heads/x', eventName: 'workflow_dispatch' }),
        true
      ).push
    ).toBe(true)
  })

  it('only builds on pull requests, other branches, and without credentials', () => {
    expect(
      decidePush(
        'auto',
        context({ ref: 'refs/pull/1/merge', eventName: 'pull_request' }),
        true
      )
    ).toEqual({
      push: false,
      reason:
        'push: auto does not push on pull_request events (build and smoke test only)'
    })
    expect(
      decidePush('auto', context({ ref: 'refs/heads/feature' }), true).reason
    ).toContain('not on refs/heads/feature')
    expect(decidePush('auto', context(), false).reason).toContain(
      'the registry credentials are empty'
    )
    expect(decidePush(false, context(), true).push).toBe(false)
    expect(decidePush(true, context({ ref: 'refs/heads/x' }), true).push).toBe(
      true
    )
  })
})

describe('ociLabels', () => {
  it('labels from the repository, leaves out the unknown, and lets the input override', () => {
    const now = new Date('2026-01-02T03:04:05Z')
    expect(
      ociLabels(
        context({
          repo: {
            defaultBranch: 'main',
            description: 'An app',
            license: 'MIT',
            name: 'app'
          }
        }),
        '1.2.3',
        { 'org.opencontainers.image.title': 'Custom', team: 'web' },
        now
      )
    ).toEqual({
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
      'org.opencontainers.image.title': 'Custom',
      'org.opencontainers.image.description': 'An app',
      'org.opencontainers.image.url': 'https://github.com/acme/app',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.licenses': 'MIT',
      team: 'web'
    })
    const bare = ociLabels(context({ repo: {} }), undefined, {}, now)
    expect(Object.keys(bare)).not.toContain('org.opencontainers.image.licenses')
    expect(Object.keys(bare)).not.toContain('org.opencontainers.image.version')
  })
})
