import type { ServerResponse } from 'node:http'

/**
 * Server-sent events to every open page (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * one `event:` name and one JSON `data:` line per message, a comment every 15 s so proxies and the
 * browser keep the stream open.
 */
export class EventStream {
  readonly #clients = new Set<ServerResponse>()
  readonly #heartbeat: NodeJS.Timeout

  constructor() {
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n')
    }, 15_000)
    this.#heartbeat.unref()
  }

  /** Starts the event stream on `response`; it ends when the page goes away or {@link EventStream.close}. */
  open(response: ServerResponse, headers: Record<string, string>): void {
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    })
    response.write('retry: 1000\n\n')
    this.#clients.add(response)
    response.on('close', () => this.#clients.delete(response))
  }

  /** Sends one event to every page. */
  send(event: string, data: unknown): void {
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    for (const client of this.#clients) client.write(message)
  }

  /** Number of open pages. */
  get size(): number {
    return this.#clients.size
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.#heartbeat)
    for (const client of this.#clients) client.end()
    this.#clients.clear()
  }
}
