/**
 * Properties of docker-publish's names (fast-check): whatever a branch or
 * git tag is called, every tag the image gets matches Docker's tag grammar;
 * an image reference is accepted exactly when the distribution reference
 * grammar allows it, and then read back as given.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import fc from 'fast-check'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { ConfigurationError } = await import('@shipyard/action-kit')
const { getInputs } = await import('../src/input-helper.js')
const { planTags, sanitizeTag, semverTags } = await import('../src/tags.js')

/** Docker's tag grammar. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const SHA = '0123456789abcdef0123456789abcdef01234567'

const anyName = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...'aZ09_.-/ @:;$`'), maxLength: 150 })
)

describe('tags', () => {
  it('sanitizeTag gives a valid tag or nothing, and is idempotent', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const tag = sanitizeTag(name)
        if (tag !== '') expect(tag).toMatch(DOCKER_TAG)
        expect(sanitizeTag(tag)).toBe(tag)
      })
    )
  })

  it('semverTags gives valid tags for any version, however long its numbers', () => {
    const numeric = fc.oneof(
      fc.nat().map(String),
      fc.stringMatching(/^[1-9]\d{20,140}$/)
    )
    fc.assert(
      fc.property(
        fc.boolean(),
        numeric,
        numeric,
        numeric,
        fc.option(fc.stringMatching(/^[0-9A-Za-z.-]{1,200}$/)),
        (v, major, minor, patch, pre) => {
          const name = `${v ? 'v' : ''}${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`
          for (const tag of semverTags(name) ?? [])
            expect(tag).toMatch(DOCKER_TAG)
        }
      )
    )
  })

  it('every tag of any branch or git tag matches the grammar', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('refs/heads/', 'refs/tags/', 'refs/pull/'),
        anyName,
        (prefix, name) => {
          const plan = planTags(
            {
              sha: SHA,
              ref: `${prefix}${name}`,
              eventName: 'push',
              repository: 'acme/app',
              repo: { defaultBranch: 'main' }
            } as Parameters<typeof planTags>[0],
            []
          )
          for (const tag of plan.tags) expect(tag).toMatch(DOCKER_TAG)
        }
      )
    )
  })
})

// The distribution reference grammar, built independently of the action's.
const component = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 3 })
  .chain((parts) =>
    fc
      .array(fc.constantFrom('.', '_', '__', '-', '--'), {
        minLength: parts.length - 1,
        maxLength: parts.length - 1
      })
      .map((seps) => parts.map((p, i) => `${p}${seps[i] ?? ''}`).join(''))
  )
const repository = fc
  .array(component, { minLength: 1, maxLength: 3 })
  .map((c) => c.join('/'))
const host = fc.oneof(
  fc.constant('localhost'),
  fc.constantFrom('ghcr.io', 'docker.io', 'registry.example.com', '127.0.0.1'),
  fc
    .tuple(
      fc.constantFrom('localhost', 'registry.example.com', '127.0.0.1'),
      fc.integer({ min: 1, max: 65535 })
    )
    .map(([h, port]) => `${h}:${port}`)
)

describe('image references', () => {
  let workspace: string
  const saved = process.env['GITHUB_WORKSPACE']
  beforeAll(() => {
    workspace = fs.realpathSync(
      fs.mkdtempSync(path.join(os.tmpdir(), 'dp-properties-'))
    )
    fs.writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n')
    process.env['GITHUB_WORKSPACE'] = workspace
  })
  afterAll(() => {
    fs.rmSync(workspace, { recursive: true, force: true })
    if (saved === undefined) delete process.env['GITHUB_WORKSPACE']
    else process.env['GITHUB_WORKSPACE'] = saved
  })

  /** The image as read, or the refusal's message (a ConfigurationError). */
  function read(image: string): { image?: string; error?: string } {
    core.reset()
    core.inputs['image'] = image
    try {
      return { image: getInputs().image }
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError)
      return { error: (error as Error).message }
    }
  }

  it('accepts every reference of the grammar and reads it back', () => {
    fc.assert(
      fc.property(fc.option(host), repository, (h, repo) => {
        const given = h ? `${h}/${repo}` : repo
        fc.pre(given.length <= 255)
        // Without a host, a first part with `.` or `:` would be one.
        const first = repo.split('/')[0] ?? ''
        fc.pre(!!h || !repo.includes('/') || !/[.:]|^localhost$/.test(first))
        const expected = `${h === undefined || h === null ? 'docker.io' : h}/${repo}`
        expect(read(given)).toEqual({
          image: expected.replace(
            /^(index\.docker\.io|registry-1\.docker\.io)\//,
            'docker.io/'
          )
        })
      })
    )
  })

  it('refuses anything else naming the input, and never accepts a tag, digest, uppercase or bad port', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyName,
          fc
            .tuple(repository, fc.constantFrom(':v1', '@sha256:ab', 'A', ' x'))
            .map(([r, t]) => `${r}${t}`),
          fc
            .tuple(fc.integer({ min: 65536, max: 999999 }), repository)
            .map(([port, r]) => `localhost:${port}/${r}`)
        ),
        (image) => {
          const { image: accepted, error } = read(image)
          if (error !== undefined) {
            expect(error).toMatch(/'image'|'registry'/)
            return
          }
          const slash = accepted?.indexOf('/') ?? -1
          const registry = accepted?.slice(0, slash) ?? ''
          const repo = accepted?.slice(slash + 1) ?? ''
          expect(repo).toMatch(
            /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/
          )
          const port = /:(\d+)$/.exec(registry)?.[1]
          if (port !== undefined) {
            expect(Number(port)).toBeGreaterThanOrEqual(1)
            expect(Number(port)).toBeLessThanOrEqual(65535)
          }
          expect(image.length).toBeLessThanOrEqual(255)
        }
      )
    )
  })
})
