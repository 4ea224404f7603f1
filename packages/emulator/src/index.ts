/**
 * @sigwire/emulator: local servers that verify signatures the way the real services do, keep state,
 * and inject faults. Each service's emulator lives in its own folder and is exported here.
 *
 * @packageDocumentation
 */
export {
  type AppleNewsEmulator,
  type AppleNewsEmulatorChannel,
  type AppleNewsEmulatorOptions,
  startAppleNewsEmulator,
} from './apple-news/index.js'
export {
  type EmulatorHandlers,
  type EmulatorRequest,
  type Fault,
  FaultController,
  type FaultKind,
  type FaultOptions,
  type RunningServer,
  type ServerOptions,
  selfSignedCertificate,
  sendJson,
  startEmulatorServer,
  type TlsMaterial,
} from './shared/index.js'
