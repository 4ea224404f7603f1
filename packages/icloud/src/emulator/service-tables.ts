/** The durable tables of Find My, Hide My Email, Reminders and calendar changes (docs/protocols/icloud.md §18). */
export const SERVICE_TABLES = ['findmy', 'hme', 'reminders', 'calendar'] as const
