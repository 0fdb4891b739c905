/**
 * The tags an image gets: `sha-<short sha>` and the full SHA, the sanitised
 * branch name (`latest` too, but only on the default branch), `pr-<n>` on a
 * pull request, `1.2.3`/`1.2`/`1` on a version tag, then the extra tags.
 * A name that is not a valid tag is sanitised with a notice; one that
 * cannot be made valid is left out with a notice.
 */
import { ConfigurationError } from '@shipyard/action-kit'
import {
  branchOf,
  gitTagOf,
  isDefaultBranch,
  pullRequestOf,
  type RunContext
} from './github-context.js'

/** A valid tag: the distribution reference grammar's `[\w][\w.-]{0,127}`. */
export const TAG = /^\w[\w.-]{0,127}$/
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/
const SHORT_SHA = 7

export interface TagPlan {
  tags: string[]
  /** Why a name was changed or left out, for a notice each. */
  notices: string[]
  /** The version the image carries (`1.2.3`, a branch, `pr-7`), for its label. */
  version?: string
}

/**
 * `feature/Login page` → `feature-Login-page`: characters a tag cannot hold
 * become `-`, leading `.`/`-` go, at most 128 characters. Empty when
 * nothing valid is left.
 */
export function sanitizeTag(name: string): string {
  return name
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
    .replace(/[.-]+$/, '')
}

/** The tags of a version: `1.2.3`, `1.2`, `1`; a pre-release only itself. */
export function semverTags(name: string): string[] | undefined {
  const match = SEMVER.exec(name)
  if (!match) return undefined
  const [, major, minor, patch, pre] = match
  if (pre) return [sanitizeTag(`${major}.${minor}.${patch}-${pre}`)]
  // Numbers too long for a tag: not a version a tag can carry.
  if (!TAG.test(`${major}.${minor}.${patch}`)) return undefined
  return [`${major}.${minor}.${patch}`, `${major}.${minor}`, `${major}`]
}

export function planTags(context: RunContext, extra: string[]): TagPlan {
  const tags: string[] = []
  const notices: string[] = []
  let version: string | undefined
  const add = (tag: string): void => {
    if (!tags.includes(tag)) tags.push(tag)
  }
  /** Adds a name derived from the ref, sanitised when needed. */
  const addNamed = (what: string, name: string): string | undefined => {
    if (TAG.test(name)) {
      add(name)
      return name
    }
    const clean = sanitizeTag(name)
    if (!clean) {
      notices.push(
        `The ${what} ${JSON.stringify(name)} has nothing a tag can hold; it gives no tag.`
      )
      return undefined
    }
    notices.push(
      `The ${what} ${JSON.stringify(name)} is not a valid tag; tagged ${JSON.stringify(clean)} instead.`
    )
    add(clean)
    return clean
  }

  const { sha, ref } = context
  if (sha) {
    if (!/^[0-9a-f]{7,64}$/i.test(sha)) {
      throw new ConfigurationError(
        `GITHUB_SHA ${JSON.stringify(sha)} is not a commit SHA: cannot tag the image with it.`
      )
    }
    add(`sha-${sha.slice(0, SHORT_SHA).toLowerCase()}`)
    add(sha.toLowerCase())
  }

  const branch = branchOf(ref)
  const gitTag = gitTagOf(ref)
  const pr = pullRequestOf(ref)
  if (branch !== undefined) {
    version = addNamed('branch', branch)
    if (isDefaultBranch(context)) add('latest')
    else if (!context.repo.defaultBranch) {
      notices.push(
        'The default branch is unknown (no repository.default_branch in the event payload): no `latest` tag.'
      )
    }
  } else if (gitTag !== undefined) {
    const versions = semverTags(gitTag)
    if (versions) {
      for (const tag of versions) add(tag)
      version = versions[0]
    } else {
      version = addNamed('git tag', gitTag)
    }
  } else if (pr !== undefined) {
    add(`pr-${pr}`)
    version = `pr-${pr}`
  }

  for (const tag of extra) add(tag)
  if (tags.length === 0) {
    throw new ConfigurationError(
      'No tag for the image: GITHUB_SHA and GITHUB_REF give none and `tags` is empty. Give at least one tag in `tags`.'
    )
  }
  return { tags, notices, version: version ?? extra[0] }
}
