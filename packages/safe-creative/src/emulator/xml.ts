import { escapeXml } from '../signing/analysis.js'

/** An XML element tree for answers: `[name, children | text]`. */
export type XmlNode = readonly [
  name: string,
  content: string | number | boolean | readonly XmlNode[] | undefined,
]

/** Renders an answer document with Safe Creative's XML declaration. */
export function xmlDocument(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderNode(root, '')}\n`
}

function renderNode([name, content]: XmlNode, indent: string): string {
  if (content === undefined || content === '') return `${indent}<${name}/>`
  if (Array.isArray(content)) {
    if (content.length === 0) return `${indent}<${name}/>`
    const inner = (content as readonly XmlNode[]).map((c) => renderNode(c, `${indent}  `)).join('\n')
    return `${indent}<${name}>\n${inner}\n${indent}</${name}>`
  }
  return `${indent}<${name}>${escapeXml(String(content))}</${name}>`
}

/** `<error><errorId/><errorMessage/></error>` (§5). */
export function errorDocument(errorId: string, message?: string): string {
  return xmlDocument([
    'error',
    [['errorId', errorId], ...(message ? [['errorMessage', message] as const] : [])],
  ])
}

/** `<exception>` (§5): a fault on the server's side. */
export function exceptionDocument(exceptionId: string, message: string): string {
  return xmlDocument([
    'exception',
    [
      ['exceptionId', exceptionId],
      ['exceptionMessage', message],
      ['stackTrace', ''],
    ],
  ])
}
