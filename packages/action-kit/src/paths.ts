/**
 * Paths given as inputs: relative to the workspace (or a directory in it),
 * never escaping it, not even through a symbolic link.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { invalidInput } from './inputs.js'

/** `GITHUB_WORKSPACE`, else the current directory. */
export function workspaceRoot(): string {
  return path.resolve(process.env['GITHUB_WORKSPACE'] || process.cwd())
}

/** Whether `target` is `root` or below it (lexically). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  )
}

export function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false
}

export function isDirectory(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false
}

export interface WorkspacePathOptions {
  /** The workspace (default `workspaceRoot()`). */
  workspace?: string
  /** What `value` is relative to (default the workspace); must be inside it. */
  base?: string
  /** Says what is accepted, for the error message. */
  accepted?: string
  /** The path must exist and be of this kind. */
  mustBe?: 'file' | 'directory'
}

/**
 * Resolves the input `name`'s `value`: relative, inside the workspace once
 * links are followed, and of the kind asked for. Errors name the input, the
 * value and what is accepted.
 */
export function resolveWorkspacePath(
  name: string,
  value: string,
  options: WorkspacePathOptions = {}
): string {
  const workspace = options.workspace ?? workspaceRoot()
  const kind = options.mustBe ? `an existing ${options.mustBe}` : 'a path'
  const accepted = options.accepted ?? `${kind}, relative to the workspace`
  const fail = (reason: string) =>
    invalidInput(name, value, accepted, { reason })
  if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) {
    throw fail('an absolute path')
  }
  const resolved = path.resolve(options.base ?? workspace, value)
  if (!isInside(workspace, resolved)) throw fail('outside the workspace')
  if (
    fs.existsSync(resolved) &&
    !isInside(fs.realpathSync(workspace), fs.realpathSync(resolved))
  ) {
    throw fail('a link out of the workspace')
  }
  if (options.mustBe === 'file' && !isFile(resolved)) throw fail('no such file')
  if (options.mustBe === 'directory' && !isDirectory(resolved)) {
    throw fail('no such directory')
  }
  return resolved
}
