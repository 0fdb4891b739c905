#!/usr/bin/env node
// Runs a sibling action's bundle the way the runner runs a JavaScript action
// that declares a post step: main, then post — for the root composite
// action, where a `run:` step gets no post step of its own.
//
//   node scripts/composite/with-post.mjs <action-name>
//
// Main writes its state to a private GITHUB_STATE file; post is then started
// with that state as STATE_<name> variables, as the runner would, even when
// main failed (the runner's `post-if: always()`). The exit status is main's,
// unless main passed and post could not be started at all.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * The name → value pairs of a GITHUB_STATE file, in the runner's format:
 * `name<<DELIMITER`, the value's lines, `DELIMITER` (or `name=value`).
 */
export function parseStateFile(text) {
  const state = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, key, delimiter] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) {
        value.push(lines[i])
      }
      state[key] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      state[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return state
}

function main() {
  const name = process.argv[2] ?? ''
  if (!/^[a-z][a-z-]*$/.test(name)) {
    console.error(`::error::with-post.mjs: "${name}" is not an action name`)
    return 2
  }
  const bundle = join(root, 'actions', name, 'dist', 'index.js')
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'state-'))
  const stateFile = join(dir, 'state')
  writeFileSync(stateFile, '', { mode: 0o600 })
  try {
    const first = spawnSync(process.execPath, [bundle], {
      stdio: 'inherit',
      env: { ...process.env, GITHUB_STATE: stateFile }
    })
    const state = parseStateFile(readFileSync(stateFile, 'utf8'))
    let status = first.status ?? 1
    if (Object.keys(state).length > 0) {
      const postState = join(dir, 'post-state')
      writeFileSync(postState, '', { mode: 0o600 })
      const env = { ...process.env, GITHUB_STATE: postState }
      for (const [key, value] of Object.entries(state)) {
        env[`STATE_${key}`] = value
      }
      const post = spawnSync(process.execPath, [bundle], {
        stdio: 'inherit',
        env
      })
      if (post.error && status === 0) status = 1
    }
    return status
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(main())
}
