export {
  type EmulatorHandlers,
  type EmulatorRequest,
  type RunningServer,
  requestStream,
  type ServerOptions,
  sendJson,
  startEmulatorServer,
} from './emulator-server.js'
export { type Fault, FaultController, type FaultKind, type FaultOptions } from './faults.js'
export { StateFile } from './state-file.js'
export { selfSignedCertificate, type TlsMaterial } from './tls.js'
