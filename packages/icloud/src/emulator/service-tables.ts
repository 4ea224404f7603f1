/** The durable tables of Find My, Hide My Email and Reminders (docs/protocols/icloud.md §18). */
export const SERVICE_TABLES = ['findmy', 'hme', 'reminders'] as const
