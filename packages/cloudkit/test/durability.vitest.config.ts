import { defineSigwireConfig } from '@sigwire/vitest-config'

// Runs durability.child.ts alone, in a process the durability test kills with SIGKILL.
export default defineSigwireConfig({ test: { include: ['test/durability.child.ts'] } })
