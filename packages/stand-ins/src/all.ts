/** Every stand-in `services up` starts. Each service module adds itself here. */
import type { StandIn } from './server.js'

export async function createStandIns(): Promise<StandIn[]> {
  return Promise.resolve([])
}
