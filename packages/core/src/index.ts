/**
 * @sigwire/core: the pieces every sigwire client shares. Canonical tokens (one string builder per
 * protocol, used to sign, verify, diagnose and trace), strict encodings, digests, owned request bodies,
 * an injectable clock, the undici transport, typed errors and central redaction.
 *
 * @packageDocumentation
 */
export {
  type BodyKind,
  bytesBody,
  concatBodies,
  emptyBody,
  type FileBodyOptions,
  fileBody,
  isOwnedBody,
  jsonBody,
  OwnedBody,
  readBody,
  textBody,
} from './body/owned-body.js'
export {
  type Clock,
  clockMs,
  fixedClock,
  SkewClock,
  type SkewClockOptions,
  systemClock,
} from './clock/clock.js'
export {
  constantTimeEqual,
  type DigestInput,
  digestStream,
  type HashAlgorithm,
  hmacSha256,
  hmacSha256Stream,
  sha1,
  sha256,
} from './digest/digest.js'
export { fromBase64, isBase64, toBase64 } from './encoding/base64.js'
export { fromHex, toHex } from './encoding/hex.js'
export {
  formatIsoSeconds,
  type IsoDateProblem,
  type IsoZoneForm,
  parseIsoDateTime,
  parseIsoSeconds,
} from './encoding/iso-date.js'
export { formatQueryPairs, parseQueryPairs, percentDecode, percentEncode } from './encoding/percent-encode.js'
export { compareCodePoints } from './encoding/sort-params.js'
export { isValidUtf8, utf8Decode, utf8Encode } from './encoding/utf8.js'
export { adoptError, type SigwireErrorClass } from './errors/adopt-error.js'
export { CORE_ERROR_CODES, type CoreErrorCode } from './errors/codes.js'
export { invalidArgument } from './errors/invalid-argument.js'
export { isSigwireError, SigwireError, type SigwireErrorOptions } from './errors/sigwire-error.js'
export { leaseLost, leaseTimeout } from './fleet/fleet-errors.js'
export {
  createMemorySharedState,
  type MemorySharedStateOptions,
} from './fleet/memory-shared-state.js'
export type { GateDecision, RequestGate, RequestGateOptions } from './fleet/request-gate.js'
export { sharedKey } from './fleet/shared-keys.js'
export type {
  Lease,
  LeaseOptions,
  SharedRecord,
  SharedSetOptions,
  SharedState,
} from './fleet/shared-state.js'
export { type TokenBucket, takeToken } from './fleet/token-bucket.js'
export { withLease } from './fleet/with-lease.js'
export { syncDirectory } from './fs/sync-directory.js'
export { type WriteFileAtomicOptions, writeFileAtomic } from './fs/write-file-atomic.js'
export { CHANNEL_NAMES, channels } from './observe/channels.js'
export { debug } from './observe/debug.js'
export { type ProgressListener, type ProgressOptions, tellProgress } from './progress/progress-listener.js'
export { Redactor } from './redact/redactor.js'
export { REDACTED } from './redact/sensitive-names.js'
export { lazyTrace, lazyTraceTokens } from './tokens/lazy-trace.js'
export {
  digestTokens,
  digestTokensSync,
  renderTokens,
  renderTokensToString,
  type TokenDigest,
} from './tokens/render-tokens.js'
export {
  type ByteSource,
  type BytesToken,
  bytesToken,
  isBytesToken,
  type StreamToken,
  streamToken,
  type Token,
  type TokenTrace,
  textToken,
  tokensByteLength,
} from './tokens/token.js'
export {
  formatTrace,
  SECRET_HEX_MASK,
  SECRET_TEXT_MASK,
  type TraceOptions,
  traceTokens,
} from './tokens/trace-tokens.js'
export { type BaseUrlOptions, checkBaseUrl, isLoopbackHost } from './transport/base-url.js'
export { type CallOptions, callSignal } from './transport/call-options.js'
export type { DispatcherOptions, TlsOptions } from './transport/dispatcher.js'
export {
  createRequest,
  type HttpMethod,
  type HttpRequest,
  type RequestInit,
} from './transport/http-request.js'
export { parseRetryAfter, type RetryMode, type RetryOptions } from './transport/retry-policy.js'
export { applySignature, type RequestSigner, type SignOutput } from './transport/signer.js'
export {
  firstHeader,
  type ResponseVerdict,
  type SendOptions,
  type StreamResponse,
  type StreamSendOptions,
  Transport,
  type TransportOptions,
  type TransportResponse,
} from './transport/transport.js'
export { type ReceivedRequest, receivedHeader } from './verify/received-request.js'
