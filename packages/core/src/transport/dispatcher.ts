import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici'

/** TLS settings for outgoing connections. */
export interface TlsOptions {
  /** Extra trusted CA certificates in PEM (for an emulator's self-signed certificate). */
  ca?: string | readonly string[]
  /** Set false only for tests; never in production. Default true. */
  rejectUnauthorized?: boolean
}

/** Options of the transport's undici dispatcher: TLS, proxy, connection limits. */
export interface DispatcherOptions {
  /**
   * `'env'`: honour `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (undici's EnvHttpProxyAgent); a URL: send
   * everything through that proxy (undici's ProxyAgent); `false`: connect directly. Default: `'env'`
   * when one of those variables is set, else direct.
   */
  proxy?: 'env' | string | false
  /** TLS settings. */
  tls?: TlsOptions
  /** Most connections per origin. Default 64. */
  connections?: number
  /** How long an idle keep-alive connection stays open, in ms. Default 30 000. */
  keepAliveTimeoutMs?: number
}

/** True when the environment names a proxy. */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy)
}

/** Creates the keep-alive undici dispatcher a client owns (and closes). */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const connect = options.tls
    ? {
        ...(options.tls.ca === undefined
          ? {}
          : { ca: typeof options.tls.ca === 'string' ? options.tls.ca : [...options.tls.ca] }),
        ...(options.tls.rejectUnauthorized === undefined
          ? {}
          : { rejectUnauthorized: options.tls.rejectUnauthorized }),
      }
    : undefined
  const agentOptions = {
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    ...(connect ? { connect } : {}),
  }
  const proxy = options.proxy ?? (proxyFromEnvironment() ? 'env' : false)
  if (proxy === 'env') return new EnvHttpProxyAgent(agentOptions)
  if (typeof proxy === 'string')
    return new ProxyAgent({ uri: proxy, ...agentOptions, ...(connect ? { requestTls: connect } : {}) })
  return new Agent(agentOptions)
}
