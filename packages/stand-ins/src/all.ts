/** Every stand-in `services up` starts. */
import { ActionsCacheStandIn } from './actions-cache.js'
import { DockerHubStandIn } from './dockerhub.js'
import { GitHubStandIn } from './github.js'
import { readRegistryEnv } from './podman.js'
import { ReadTheDocsStandIn } from './readthedocs.js'
import { RenderStandIn } from './render.js'
import { SentryStandIn } from './sentry.js'
import type { StandIn } from './server.js'

export async function createStandIns(): Promise<StandIn[]> {
  return Promise.resolve([
    new RenderStandIn({ registry: readRegistryEnv() }),
    new SentryStandIn(),
    new ReadTheDocsStandIn({ stepDelayMs: 1000 }),
    new DockerHubStandIn(),
    new GitHubStandIn(),
    new ActionsCacheStandIn()
  ])
}
