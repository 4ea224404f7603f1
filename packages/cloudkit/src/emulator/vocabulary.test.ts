import { ENGINE_COMPARATORS, ENGINE_ERROR_STATUS, ENGINE_FIELD_TYPES } from '@sigwire/emulator-kit/cloudkit'
import { describe, expect, it } from 'vitest'
import { COMPARATORS } from '../client/query.js'
import { FIELD_TYPES } from '../constants.js'
import { CLOUDKIT_SERVER_ERROR_CODES } from '../errors.js'

// The engine the emulator runs on keeps the server's halves of these lists; they must not drift.
describe('the emulator engine speaks the client vocabulary', () => {
  it('has the same field types, comparators and server error codes', () => {
    expect([...ENGINE_FIELD_TYPES]).toEqual([...FIELD_TYPES])
    expect([...ENGINE_COMPARATORS]).toEqual([...COMPARATORS])
    expect(Object.keys(ENGINE_ERROR_STATUS).sort()).toEqual([...CLOUDKIT_SERVER_ERROR_CODES].sort())
  })
})
