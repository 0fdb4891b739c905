export * from './dockerhub.js'
export * from './github.js'
export * from './readthedocs.js'
export * from './server.js'
