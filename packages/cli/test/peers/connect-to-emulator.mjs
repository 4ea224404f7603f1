// Preloaded (`node --import`) into a peer client that runs as its own process: every TLS connection
// goes to the emulator's port on loopback, whatever host the client named (its hosts are fixed:
// idmsa.apple.com, setup.icloud.com, the ckdatabasews and content hosts), the way /etc/hosts and a port
// forward would. The client's code is untouched: it still sends its own Host header, and trusts the
// emulator's certificate through NODE_EXTRA_CA_CERTS. Plain connections to anything but loopback are
// refused, so the peer reaches nothing beyond this machine (no crash reports, no telemetry).
import net from 'node:net'
import tls from 'node:tls'

const target = process.env.SIGWIRE_EMULATOR_TLS_PORT
const port = Number(target)
if (!Number.isInteger(port) || port <= 0)
  throw new Error('SIGWIRE_EMULATOR_TLS_PORT must name the emulator TLS port')

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
const connectTls = tls.connect
const createConnection = net.createConnection

/** The options object of tls.connect's overloads (options[, cb]) and (port[, host][, options][, cb]). */
function optionsOf(args) {
  const first = args[0]
  if (first !== null && typeof first === 'object') return { ...first }
  const options = {}
  for (const a of args) if (a !== null && typeof a === 'object') Object.assign(options, a)
  return options
}

tls.connect = function toEmulator(...args) {
  const callback = args.find((a) => typeof a === 'function')
  const options = optionsOf(args)
  // The emulator's certificate names localhost; the client's Host header still says which host it meant.
  const mapped = { ...options, host: '127.0.0.1', port, servername: 'localhost' }
  delete mapped.path
  delete mapped.socket
  return callback ? connectTls.call(tls, mapped, callback) : connectTls.call(tls, mapped)
}

function refuseRemote(...args) {
  const first = args[0]
  const host =
    first !== null && typeof first === 'object' ? (first.host ?? 'localhost') : (args[1] ?? 'localhost')
  if (!(first !== null && typeof first === 'object' && first.path) && !LOOPBACK.has(String(host)))
    throw new Error(`connect-to-emulator: refused a plain connection to ${host}; only loopback is allowed`)
  return createConnection.apply(net, args)
}
net.createConnection = refuseRemote
net.connect = refuseRemote
