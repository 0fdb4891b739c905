/**
 * Built environments kept in the GitHub Actions cache service, when the
 * runner offers it (GitHub-hosted runners do: `ACTIONS_RESULTS_URL` and
 * `ACTIONS_RUNTIME_TOKEN`, with `ACTIONS_CACHE_SERVICE_V2`), through
 * @actions/cache. @actions/cache is loaded only then, with a dynamic
 * `import()`, so that a run without the service does not pay for loading it.
 *
 * The service is an optimisation: every failure of it (server errors, an
 * unreachable service, another job saving the same key) is a warning and the
 * run goes on with a local build.
 *
 * An entry is found by its key and by a "version", which @actions/cache
 * derives from the cached paths as given. So that an environment saved under
 * one cache directory restores under any other, the path is given relative
 * (the environment's own directory name) and @actions/cache works in the
 * directory that holds it: its archive's entries are relative to that
 * directory too.
 */
import * as path from 'node:path'
import * as core from '@actions/core'
import { errorMessage } from '@shipyard/action-kit'

/** The cache key of an environment: platform, architecture and our key (Python version and requirements hash). */
export function githubCacheKey(key: string): string {
  return `shipyard-ci-test-venv-${process.platform}-${process.arch}-${key}`
}

/**
 * Whether the runner's environment names a cache service at all; cheap, no
 * import. @actions/cache's own `isFeatureAvailable()` decides after that.
 */
export function serviceConfigured(
  env: NodeJS.ProcessEnv = process.env
): boolean {
  return Boolean(
    (env['ACTIONS_RESULTS_URL'] || env['ACTIONS_CACHE_URL']) &&
    env['ACTIONS_RUNTIME_TOKEN']
  )
}

type CacheModule = typeof import('@actions/cache')

let loaded: Promise<CacheModule | undefined> | undefined

/** @actions/cache when the runner offers the service, else `undefined`. */
export function cacheService(): Promise<CacheModule | undefined> {
  if (!serviceConfigured()) return Promise.resolve(undefined)
  loaded ??= import('@actions/cache').then(
    (module) => (module.isFeatureAvailable() ? module : undefined),
    (error: unknown) => {
      core.warning(
        `The GitHub cache client could not be loaded: ${errorMessage(error)}`
      )
      return undefined
    }
  )
  return loaded
}

/**
 * Runs `fn` with the current directory and GITHUB_WORKSPACE set to `dir`
 * (where @actions/cache resolves relative paths and roots its archives),
 * then puts both back. Nothing else runs meanwhile: the environment is
 * prepared before any other phase starts.
 */
async function inDirectory<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd()
  const workspace = process.env['GITHUB_WORKSPACE']
  process.chdir(dir)
  process.env['GITHUB_WORKSPACE'] = dir
  try {
    return await fn()
  } finally {
    process.chdir(cwd)
    if (workspace === undefined) delete process.env['GITHUB_WORKSPACE']
    else process.env['GITHUB_WORKSPACE'] = workspace
  }
}

/**
 * Restores the environment `name` (a directory name) into `parent`, i.e. to
 * `parent/name`. Returns whether it was found and restored.
 */
export async function restoreFromGitHub(
  cache: CacheModule,
  parent: string,
  name: string,
  key: string
): Promise<boolean> {
  try {
    const hit = await inDirectory(parent, () => cache.restoreCache([name], key))
    return hit === key
  } catch (error) {
    core.warning(
      `The GitHub cache could not be read (key ${key}): ${errorMessage(error)}`
    )
    return false
  }
}

/** Saves the environment at `dir` under `key`. Returns whether it was saved. */
export async function saveToGitHub(
  cache: CacheModule,
  dir: string,
  key: string
): Promise<boolean> {
  let id = -1
  try {
    id = await inDirectory(path.dirname(dir), () =>
      cache.saveCache([path.basename(dir)], key)
    )
  } catch (error) {
    core.warning(
      `The environment could not be saved to the GitHub cache (key ${key}): ${errorMessage(error)}`
    )
    return false
  }
  if (id === -1) {
    core.warning(
      `The environment was not saved to the GitHub cache (key ${key}; see above why). The next run builds it again unless another job saved it.`
    )
    return false
  }
  core.info(`Saved the environment to the GitHub cache (key ${key}).`)
  return true
}
