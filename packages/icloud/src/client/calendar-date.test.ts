import { describe, expect, it } from 'vitest'
import { calendarDay, decodeCalendarDate, encodeCalendarDate } from './calendar-date.js'

describe('calendar date arrays', () => {
  it('decodes the documented example in its time zone', () => {
    const d = decodeCalendarDate([20160326, 2016, 3, 26, 9, 0, 540], 'America/Los_Angeles')
    expect(d.date.toISOString()).toBe('2016-03-26T16:00:00.000Z')
    expect(d).toMatchObject({
      year: 2016,
      month: 3,
      day: 26,
      hour: 9,
      minute: 0,
      timeZone: 'America/Los_Angeles',
    })
  })

  it('handles both sides of a daylight saving change', () => {
    expect(decodeCalendarDate([20260328, 2026, 3, 28, 12, 0, 720], 'Europe/Paris').date.toISOString()).toBe(
      '2026-03-28T11:00:00.000Z',
    )
    expect(decodeCalendarDate([20260330, 2026, 3, 30, 12, 0, 720], 'Europe/Paris').date.toISOString()).toBe(
      '2026-03-30T10:00:00.000Z',
    )
  })

  it('round-trips through encode', () => {
    for (const iso of ['2026-01-15T23:30:00Z', '2026-07-01T00:05:00Z']) {
      for (const tz of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
        const arr = encodeCalendarDate(new Date(iso), tz)
        expect(decodeCalendarDate(arr, tz).date.toISOString()).toBe(new Date(iso).toISOString())
      }
    }
    expect(calendarDay(new Date('2026-01-15T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-01-16')
  })

  it('rejects arrays whose redundant fields disagree', () => {
    expect(() => decodeCalendarDate([20160326, 2016, 3, 27, 9, 0, 540], 'UTC')).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    )
    expect(() => decodeCalendarDate([20160326, 2016, 3, 26, 9, 0, 541], 'UTC')).toThrow()
    expect(() => decodeCalendarDate('2016-03-26', 'UTC')).toThrow()
    expect(() => decodeCalendarDate([20160326, 2016, 3, 26, 9, 0, 540], 'Not/AZone')).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    )
  })
})
