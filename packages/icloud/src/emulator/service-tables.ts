/** The durable tables of Find My, Hide My Email, Reminders, calendar and contact changes (docs/protocols/icloud.md §18). */
export const SERVICE_TABLES = ['findmy', 'hme', 'reminders', 'calendar', 'contacts'] as const
