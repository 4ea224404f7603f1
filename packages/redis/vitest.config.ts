import { defineSigwireConfig } from '@sigwire/vitest-config'

export default defineSigwireConfig()
