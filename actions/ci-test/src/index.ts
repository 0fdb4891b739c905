import { run } from '@shipyard/action-kit'
import { main } from './main.js'

await run(main)
