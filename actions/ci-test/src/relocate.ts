/**
 * Moving a virtual environment. A venv names its own absolute path in a few
 * text files: the `#!` line of every script pip or uv installs in bin/ (or
 * the `exec` line of the `/bin/sh` launcher pip writes for long paths), the
 * activate scripts (`VIRTUAL_ENV`) and pyvenv.cfg (`command`). Built in a
 * temporary directory and renamed, or restored from the GitHub cache under
 * another directory, it works at its new place once those are rewritten.
 * Its interpreter links (bin/python → the base Python) do not name the
 * environment and stay as they are.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

/** The directory of scripts in an environment. */
export const scriptsDir = (dir: string): string =>
  process.platform === 'win32'
    ? path.join(dir, 'Scripts')
    : path.join(dir, 'bin')

/** Where the environment at `dir` was made, as its activate script says. */
export function recordedLocation(dir: string): string | undefined {
  let text: string
  try {
    text = fs.readFileSync(path.join(scriptsDir(dir), 'activate'), 'utf8')
  } catch {
    return undefined
  }
  const match = /^\s*(?:export\s+)?VIRTUAL_ENV=(["']?)(.+?)\1\s*$/m.exec(text)
  return match?.[2]
}

const escape = (text: string): string =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Files are only read up to this size: scripts, not binaries. */
const MAX_TEXT = 1024 * 1024

/**
 * Rewrites the environment at `dir`, made at another path, to work at
 * `target` (its path once renamed; `dir` itself when it is already there).
 * Returns the files changed; nothing when it already names `target`.
 */
export function relocateEnvironment(dir: string, target: string): string[] {
  const from = recordedLocation(dir)
  if (!from || from === target) return []
  // The old path, whole: not a longer path that starts with it.
  const pattern = new RegExp(`${escape(from)}(?=$|[\\\\/\\s"':;])`, 'g')
  const bin = scriptsDir(dir)
  const candidates = [
    path.join(dir, 'pyvenv.cfg'),
    ...fs.readdirSync(bin).map((name) => path.join(bin, name))
  ]
  const changed: string[] = []
  for (const file of candidates) {
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(file)
    } catch {
      continue
    }
    if (!stat.isFile() || stat.size > MAX_TEXT) continue
    const content = fs.readFileSync(file)
    if (content.includes(0)) continue
    const text = content.toString('utf8')
    pattern.lastIndex = 0
    if (!pattern.test(text)) continue
    // Written aside and renamed over it: a run using the script meanwhile
    // sees the old one or the new one, never half of one.
    const aside = `${file}.shipyard-${process.pid}`
    fs.writeFileSync(
      aside,
      text.replace(pattern, () => target),
      {
        mode: stat.mode
      }
    )
    fs.chmodSync(aside, stat.mode)
    fs.renameSync(aside, file)
    changed.push(file)
  }
  return changed
}
