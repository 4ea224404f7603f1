import { defineSigwireConfig } from '@sigwire/vitest-config'

// util.debuglog reads NODE_DEBUG when a process starts; set it here so the forked test workers log
// (test/capture-debug.ts captures the lines so the redaction tests can read them).
process.env.NODE_DEBUG = [process.env.NODE_DEBUG, 'sigwire'].filter(Boolean).join(',')

export default defineSigwireConfig({ test: { setupFiles: ['./test/capture-debug.ts'] } })
