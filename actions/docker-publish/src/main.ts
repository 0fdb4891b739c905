/**
 * docker-publish: validate every input, choose the engine, log in (so a
 * wrong password fails before a long build), build, smoke-test, and only
 * then push every tag and read the digest back from the registry. Nothing
 * is pushed unless the smoke test passed. The build secrets live in a
 * private temporary directory removed at the end; the login in another,
 * which the post step (post.ts) logs out of and removes.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  ConfigurationError,
  errorMessage,
  exec,
  onInterrupt,
  scrub
} from '@shipyard/action-kit'
import {
  buildImage,
  pushesWithBuildx,
  pushWithBuildx,
  type BuildResult,
  type BuildSpec
} from './build.js'
import { Outputs } from './constants.js'
import {
  readDescription,
  updateDescription,
  type Description
} from './dockerhub.js'
import { createEngine, type Exec } from './engine.js'
import { runContext } from './github-context.js'
import { getInputs } from './input-helper.js'
import { ociLabels } from './labels.js'
import { decidePush } from './push-policy.js'
import {
  RegistrySession,
  registryDigest,
  type Credentials
} from './registry.js'
import { smokeTest } from './smoke.js'
import { writePublishSummary, type PublishReport } from './summary.js'
import { planTags } from './tags.js'

export async function main(
  run: Exec = exec,
  given?: ReturnType<typeof getInputs>
): Promise<void> {
  // The entry reads the inputs before loading this module, and passes them.
  const inputs =
    given ?? (await core.group('Inputs', () => Promise.resolve(getInputs())))
  const context = runContext()
  const plan = planTags(context, inputs.tags)
  for (const notice of plan.notices) core.notice(notice)
  const description: Description | undefined = inputs.dockerhubDescription
    ? readDescription(
        inputs.dockerhubDescription,
        inputs.workspace,
        context.repo.description
      )
    : undefined
  const credentials: Credentials | undefined =
    inputs.username && inputs.password
      ? { username: inputs.username, password: inputs.password }
      : undefined
  const decision = decidePush(inputs.push, context, credentials !== undefined)

  const { engine, notices } = await core.group('Container engine', () =>
    createEngine(inputs.engine, run)
  )
  for (const notice of notices) core.notice(notice)
  core.info(`Engine: ${engine.command} ${engine.version}`)
  if (inputs.platforms.length > 0 && !engine.capabilities.buildx) {
    throw new ConfigurationError(
      `Invalid value for input 'platforms': ${JSON.stringify(inputs.platforms.join(','))} (the engine is ${engine.kind} without buildx). Accepted: platforms only with Docker buildx; leave it empty to build for this runner's platform.`
    )
  }
  if (
    (inputs.provenance || inputs.sbom) &&
    !(engine.capabilities.buildx && engine.capabilities.push)
  ) {
    core.notice(
      `provenance and sbom need Docker buildx; ${engine.kind} builds the image without attestations.`
    )
  }

  const refs = plan.tags.map((tag) => `${inputs.image}:${tag}`)
  const report: PublishReport = {
    image: inputs.image,
    tags: plan.tags,
    engine: `${engine.command} ${engine.version}`,
    registry: inputs.registry,
    pushed: false,
    pushNote: decision.reason
  }
  core.setOutput(Outputs.Image, inputs.image)
  core.setOutput(Outputs.Tags, plan.tags.join('\n'))
  core.setOutput(Outputs.Pushed, 'false')
  core.setOutput(Outputs.Digest, '')
  core.setOutput(Outputs.ImageRef, '')
  core.setOutput(Outputs.SmokeSeconds, '')

  const tempRoot = process.env['RUNNER_TEMP'] || os.tmpdir()
  const tempDir = fs.mkdtempSync(path.join(tempRoot, 'docker-publish-'))
  fs.chmodSync(tempDir, 0o700)
  // Build secrets live here: a cancelled job removes them too.
  const forgetTempDir = onInterrupt(() =>
    fs.rmSync(tempDir, { recursive: true, force: true })
  )
  const session = new RegistrySession(engine, run, inputs.registry)
  // After the login, every engine command finds it in its private place.
  const engineRun: Exec = (command, args, options = {}) =>
    run(command, args, {
      ...options,
      env: { ...session.env(), ...options.env }
    })
  let factsRead: Promise<void> = Promise.resolve()
  try {
    if (decision.push && credentials) {
      await core.group(`Log in to ${inputs.registry}`, () =>
        session.login(credentials)
      )
    }

    const spec: BuildSpec = {
      context: inputs.context,
      file: inputs.file,
      refs,
      image: inputs.image,
      target: inputs.target,
      buildArgs: inputs.buildArgs,
      labels: ociLabels(context, plan.version, inputs.labels),
      secretFiles: inputs.secretFiles,
      secrets: inputs.secrets,
      platforms: inputs.platforms,
      cache: inputs.cache,
      canWriteRegistry: decision.push,
      tempDir
    }
    const built: BuildResult = await core.group(`Build ${inputs.image}`, () =>
      buildImage(engine, engineRun, spec)
    )
    Object.assign(report, {
      imageId: built.id,
      buildSeconds: built.seconds,
      cacheNote: built.cacheNote
    })
    core.setOutput(Outputs.ImageId, built.id)
    // Size and layers are read while the smoke test starts.
    factsRead = built.facts.then((facts) => {
      Object.assign(report, { size: facts.size, layers: facts.layers })
      core.setOutput(Outputs.Size, String(facts.size))
    })

    const smoke = inputs.smokeTest
    if (smoke) {
      const result = await core.group('Smoke test', () =>
        smokeTest(engine, engineRun, built, smoke)
      )
      report.smoke = result
      core.setOutput(Outputs.SmokeSeconds, result.seconds.toFixed(1))
    } else {
      report.smokeNote = 'skipped (smoke-test: false)'
      if (decision.push) {
        core.notice(
          'smoke-test is false: the image is pushed without having been run.'
        )
      }
    }

    await factsRead

    if (!decision.push) {
      core.notice(`Not pushed: ${decision.reason ?? 'push is off'}.`)
      if (description) {
        report.description = 'not updated: nothing was pushed'
        core.info('Docker Hub description not updated: nothing was pushed.')
      }
      return
    }
    const digest = await core.group(`Push to ${inputs.registry}`, async () => {
      const attestations = { provenance: inputs.provenance, sbom: inputs.sbom }
      const tag = plan.tags[0] ?? ''
      const readDigest = async (): Promise<string> => {
        const served = await registryDigest(
          inputs.registry,
          inputs.repository,
          tag,
          credentials
        )
        core.info(`The registry serves ${inputs.image}:${tag} as ${served}.`)
        return served
      }
      if (pushesWithBuildx(engine, spec, attestations)) {
        await pushWithBuildx(engine, engineRun, spec, attestations)
      } else {
        // The first push uploads the layers; the other tags name the same
        // manifest, so they go up side by side; `latest` moves last, once
        // every other tag is up, so a failed push never leaves it moved.
        const [first = '', ...others] = refs
        const last = others.filter((ref) => ref.endsWith(':latest'))
        await session.push(first)
        // The first tag is up: its digest is read back while the others go.
        const pushed = readDigest()
        const rest = (async () => {
          await Promise.all(
            others
              .filter((ref) => !last.includes(ref))
              .map((ref) => session.push(ref))
          )
          for (const ref of last) await session.push(ref)
        })()
        await Promise.allSettled([pushed, rest])
        await rest
        return pushed
      }
      return readDigest()
    })
    report.pushed = true
    report.pushNote = undefined
    report.digest = digest
    core.setOutput(Outputs.Pushed, 'true')
    core.setOutput(Outputs.Digest, digest)
    core.setOutput(Outputs.ImageRef, `${inputs.image}@${digest}`)

    if (description && credentials) {
      try {
        await updateDescription(
          inputs.dockerhubApiUrl,
          inputs.repository,
          credentials,
          description
        )
        report.description = 'updated'
      } catch (error) {
        report.description = `not updated: ${scrub(errorMessage(error))}`
        core.warning(
          `The image is pushed, but the Docker Hub description was not updated: ${scrub(errorMessage(error))}`
        )
      }
    }
  } catch (error) {
    report.failure = scrub(errorMessage(error))
    if (!report.smoke && !report.smokeNote && report.imageId) {
      report.smokeNote = 'failed'
    }
    throw error
  } finally {
    await factsRead.catch(() => undefined)
    fs.rmSync(tempDir, { recursive: true, force: true })
    forgetTempDir()
    await writePublishSummary(report)
  }
}
