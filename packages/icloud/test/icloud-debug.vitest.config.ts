import { defineSigwireConfig } from '@sigwire/vitest-config'

// Runs icloud-debug-output.child.ts in a process started with NODE_DEBUG=sigwire (see icloud-debug.test.ts).
export default defineSigwireConfig({ test: { include: ['test/icloud-debug-output.child.ts'] } })
