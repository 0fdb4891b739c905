/**
 * The one way the actions run programs: an argument array (never a shell
 * string), output streamed to the log unless `silent`, the command logged at
 * debug level, and the exit code, stdout and stderr returned to the caller,
 * who decides what a non-zero code means.
 */
import * as core from '@actions/core'
import * as actionsExec from '@actions/exec'
import { scrub } from './mask.js'

export interface ExecOptions {
  cwd?: string
  /** Added to (not replacing) the current environment. */
  env?: Record<string, string>
  /** Do not stream the program's output to the log. */
  silent?: boolean
  /** Written to the program's standard input (how secrets are passed). */
  input?: string
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Quotes an argument for a readable (not executable) log line. */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

export async function exec(
  command: string,
  args: readonly string[] = [],
  options: ExecOptions = {}
): Promise<ExecResult> {
  core.debug(`exec: ${scrub([command, ...args].map(quoteArg).join(' '))}`)
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value
  }
  Object.assign(env, options.env)
  const result = await actionsExec.getExecOutput(command, [...args], {
    cwd: options.cwd,
    env,
    silent: options.silent ?? false,
    ignoreReturnCode: true,
    input: options.input === undefined ? undefined : Buffer.from(options.input)
  })
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr
  }
}

/** Whether a program can be found on PATH (without running it). */
export async function which(program: string): Promise<string | undefined> {
  const io = await import('@actions/io')
  const found = await io.which(program, false)
  return found || undefined
}
