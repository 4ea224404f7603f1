export {
  declaredLength,
  jsonDepth,
  MAX_JSON_DEPTH,
  mayHaveBody,
  parseJsonBody,
  readBody,
} from './body.js'
export { type EmulatorApp, type RunningEmulator, startEmulator } from './emulator.js'
export { type EmulatorHandlers, sendJson, startEmulatorServer } from './emulator-server.js'
export {
  EmulatorError,
  type EmulatorErrorKind,
  type EmulatorErrorOptions,
  isEmulatorError,
  type KitErrorCode,
  kitError,
} from './errors.js'
export {
  FAULT_KINDS,
  type Fault,
  FaultController,
  type FaultInjection,
  type FaultKind,
  type FaultOptions,
  type RandomFaults,
} from './faults.js'
export type { RunningServer, ServerOptions } from './listen.js'
export {
  MultipartError,
  type PartDestination,
  parseDisposition,
  parseMultipart,
  type ReceivedPart,
} from './multipart.js'
export {
  type Reply,
  type ReplyBody,
  type ReplyHeaders,
  reply,
  type WriteReplyOptions,
  writeReply,
} from './reply.js'
export {
  RequestLog,
  type RequestLogEntry,
  type RequestLogListener,
  type RequestVerdict,
} from './request-log.js'
export {
  type EmulatorRequest,
  type Route,
  type RouteAuth,
  type RouteRequest,
  safeDecode,
} from './routes.js'
export { EmulatorStats, type EmulatorStatsSnapshot, type StatsCounter } from './stats.js'
export {
  DurableStore,
  type DurableStoreOptions,
  type StoreStats,
  type Table,
  type Transaction,
} from './store.js'
export { selfSignedCertificate, type TlsMaterial } from './tls.js'
