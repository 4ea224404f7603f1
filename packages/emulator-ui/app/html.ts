// htm binds tagged templates to Preact's createElement: no JSX compile step, no runtime fetch.

import htm from 'htm'
import { h } from 'preact'

export const html = htm.bind(h)
