import { describe, expect, it } from '@jest/globals'
import { exec, quoteArg, which } from '../src/index.js'

// The real @actions/exec running real programs.
describe('exec', () => {
  it('returns exit code, stdout and stderr without a shell', async () => {
    const result = await exec(
      process.execPath,
      ['-e', 'console.log("out $HOME"); console.error("err"); process.exit(3)'],
      {
        silent: true
      }
    )
    expect(result).toEqual({
      exitCode: 3,
      stdout: 'out $HOME\n',
      stderr: 'err\n'
    })
  })

  it('passes input on stdin, env additions and cwd', async () => {
    const result = await exec(
      process.execPath,
      [
        '-e',
        'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>console.log(d+process.env.EXTRA+process.cwd()))'
      ],
      {
        silent: true,
        input: 'secret-from-stdin:',
        env: { EXTRA: 'x:' },
        cwd: '/'
      }
    )
    expect(result.stdout.trim()).toBe('secret-from-stdin:x:/')
  })

  it('quotes arguments readably for logs', () => {
    expect(quoteArg('plain-arg_1.txt')).toBe('plain-arg_1.txt')
    expect(quoteArg("it's here")).toBe(`'it'\\''s here'`)
  })

  it('finds programs on PATH', async () => {
    expect(await which('node')).toMatch(/node$/)
    expect(await which('surely-not-a-program-xyz')).toBeUndefined()
  })
})
