/** Every stand-in `services up` starts. */
import { DockerHubStandIn } from './dockerhub.js'
import { GitHubStandIn } from './github.js'
import { ReadTheDocsStandIn } from './readthedocs.js'
import type { StandIn } from './server.js'

export async function createStandIns(): Promise<StandIn[]> {
  return Promise.resolve([
    new ReadTheDocsStandIn({ stepDelayMs: 1000 }),
    new DockerHubStandIn(),
    new GitHubStandIn()
  ])
}
