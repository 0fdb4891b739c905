/** Test helpers shared by the actions' suites (never bundled). */
export * from './core-mock.js'
export * from './workspace.js'
