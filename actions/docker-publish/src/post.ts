/**
 * docker-publish's post step (`post-if: always()`): logs out of the registry
 * the main step logged in to and removes the private directory that held
 * the login, even when the main step failed or was cancelled. Without a
 * saved login it does nothing.
 */
import * as fs from 'node:fs'
import * as core from '@actions/core'
import { exec, scrub } from '@shipyard/action-kit'
import type { Exec } from './engine.js'
import { loginEnv, logoutArgs, savedLogin } from './login-store.js'

export async function post(run: Exec = exec): Promise<void> {
  const login = savedLogin()
  if (!login) {
    core.debug('No registry login to undo: the main step did not log in.')
    return
  }
  try {
    if (!fs.existsSync(login.dir)) {
      core.debug(`The login to ${login.registry} is already gone.`)
      return
    }
    const result = await run(login.command, logoutArgs(login), {
      silent: true,
      env: loginEnv(login)
    })
    if (result.exitCode === 0) {
      core.info(`Logged out of ${login.registry}.`)
    } else {
      core.warning(
        `Logging out of ${login.registry} failed (${scrub(result.stderr.trim() || `exit code ${result.exitCode}`)}); its credentials are deleted with the login directory all the same.`
      )
    }
  } finally {
    fs.rmSync(login.dir, { recursive: true, force: true })
  }
}
