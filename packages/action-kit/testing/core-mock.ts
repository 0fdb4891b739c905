/**
 * A stand-in for @actions/core that records what an action asks of the
 * runner: inputs come from a map, and every call is kept for assertions.
 * Use: `const core = mockCore(); jest.unstable_mockModule('@actions/core', () => core)`
 * before importing the module under test.
 */
import { jest } from '@jest/globals'

export interface CoreMock {
  inputs: Record<string, string>
  secrets: string[]
  log: string[]
  state: Record<string, string>
  [key: string]: unknown
}

export function mockCore(): CoreMock & Record<string, jest.Mock> {
  const inputs: Record<string, string> = {}
  const secrets: string[] = []
  const log: string[] = []
  const state: Record<string, string> = {}
  const record =
    (kind: string) =>
    (message: unknown): void => {
      log.push(`${kind}: ${String(message)}`)
    }
  const core = {
    inputs,
    secrets,
    log,
    state,
    getInput: jest.fn(
      (name: string, options?: { trimWhitespace?: boolean }) => {
        const value = inputs[name] ?? ''
        return options?.trimWhitespace === false ? value : value.trim()
      }
    ),
    getMultilineInput: jest.fn((name: string) =>
      (inputs[name] ?? '').split('\n').filter((line) => line !== '')
    ),
    setSecret: jest.fn((value: string) => {
      secrets.push(value)
    }),
    debug: jest.fn(record('debug')),
    info: jest.fn(record('info')),
    notice: jest.fn(record('notice')),
    warning: jest.fn(record('warning')),
    error: jest.fn(record('error')),
    setFailed: jest.fn(record('failed')),
    setOutput: jest.fn(),
    getState: jest.fn((name: string) => state[name] ?? ''),
    saveState: jest.fn((name: string, value: string) => {
      state[name] = value
    }),
    summary: {
      addRaw: jest.fn(function (this: unknown) {
        return this
      }),
      write: jest.fn(() => Promise.resolve(undefined))
    }
  }
  return core as unknown as CoreMock & Record<string, jest.Mock>
}
