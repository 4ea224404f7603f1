/**
 * @sigwire/conformance: the signer conformance suite every adapter runs from its own tests.
 *
 * @packageDocumentation
 */
export {
  type ConformanceCase,
  describeSignerConformance,
  receivedFrom,
  type SignerConformance,
} from './signer-conformance.js'
