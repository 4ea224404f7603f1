import { defineSigwireConfig } from './index.mjs'

export default defineSigwireConfig({ test: { include: ['test/**/*.test.mjs'] } })
