import type { CallOptions } from '@sigwire/core'

/** A reminders list: a `List` record of the `Reminders` zone (docs/protocols/icloud.md §20.3). */
export interface ReminderList {
  /** The record name, `List/<UUID>`. */
  readonly id: string
  /** The list's name. */
  readonly title: string
  /** The list's colour as the apps store it (a hex string or a JSON colour), when set. */
  readonly color: string | undefined
  /** How many reminders the list says it holds (`Count`, else the size of `ReminderIDs`). */
  readonly count: number
  /** The record change tag: a new one per change of the list. */
  readonly changeTag: string
}

/** A reminder: a `Reminder` record of the `Reminders` zone (docs/protocols/icloud.md §20.3). */
export interface Reminder {
  /** The record name, `Reminder/<UUID>`. */
  readonly id: string
  /** The id of its list. */
  readonly listId: string
  /** What to do. */
  readonly title: string
  /** Notes ("" when none). */
  readonly notes: string
  /** iCalendar priority: 0 none, 1 high, 5 medium, 9 low (RFC 5545 §3.8.1.9). */
  readonly priority: number
  /** When it is due, or undefined. */
  readonly due: Date | undefined
  /** The due date is a whole day (its time carries no meaning). */
  readonly allDay: boolean
  /** The IANA time zone of the due date, when one was set. */
  readonly timeZone: string | undefined
  /** Flagged. */
  readonly flagged: boolean
  /** Completed. */
  readonly completed: boolean
  /** When it was completed, or undefined while open. */
  readonly completedAt: Date | undefined
  /** The parent reminder's id when this is a sub-task, else undefined. */
  readonly parentId: string | undefined
  /** When it was created, when known. */
  readonly created: Date | undefined
  /** When it was last changed, when known. */
  readonly modified: Date | undefined
  /** The record change tag: updates send it back and fail with `CONFLICT` when it is stale. */
  readonly changeTag: string
}

/** What a new reminder has. */
export interface NewReminder extends CallOptions {
  /** What to do (1 to 4096 characters). */
  readonly title: string
  /** The list, by id or title. Default: the parent's list for a sub-task, else the first list. */
  readonly list?: string
  /** Makes it a sub-task of this reminder (by id). */
  readonly parent?: string
  /** Notes. */
  readonly notes?: string
  /** When it is due. */
  readonly due?: Date
  /** The due date is a whole day. Default false. */
  readonly allDay?: boolean
  /** IANA time zone of the due date (e.g. `Europe/Paris`). */
  readonly timeZone?: string
  /** 0 none, 1 high, 5 medium, 9 low. Default 0. */
  readonly priority?: number
  /** Flagged. Default false. */
  readonly flagged?: boolean
}

/** Changes to a reminder: only the fields given change. */
export interface ReminderUpdate extends CallOptions {
  /** A new title. */
  readonly title?: string
  /** New notes. */
  readonly notes?: string
  /** A new due date, or null to clear it. */
  readonly due?: Date | null
  /** Whether the due date is a whole day. */
  readonly allDay?: boolean
  /** A new priority (0 to 9). */
  readonly priority?: number
  /** Flag or unflag. */
  readonly flagged?: boolean
  /** Complete (true, now) or reopen (false). */
  readonly completed?: boolean
}

/** Options of {@link RemindersApi.reminders}. */
export interface ReminderQuery extends CallOptions {
  /** Only this list, by id or title. */
  readonly list?: string
  /** Include completed reminders. Default false. */
  readonly completed?: boolean
}

/** What changed in the `Reminders` zone since a sync token ({@link RemindersApi.changes}). */
export interface ReminderChanges {
  /** Reminders created or changed (completed ones included), oldest change first. */
  readonly reminders: Reminder[]
  /** Lists created or changed. */
  readonly lists: ReminderList[]
  /** Ids of reminders and lists deleted (soft-deleted with `Deleted = 1`, or gone). */
  readonly deleted: string[]
  /** The token to pass next time. */
  readonly syncToken: string
}

/** Reminders on the CloudKit container `com.apple.reminders`, as the iCloud web app uses it (§20). */
export interface RemindersApi {
  /** The lists (`changes/zone` for `List` records). */
  lists(options?: CallOptions): Promise<ReminderList[]>
  /** Open reminders (and completed ones when asked), list by list, one at a time; sub-tasks included. */
  reminders(query?: ReminderQuery): AsyncIterableIterator<Reminder>
  /** One reminder by id; `NOT_FOUND` (`details.kind: "reminder"`) when there is none. */
  get(id: string, options?: CallOptions): Promise<Reminder>
  /** Creates a reminder (or a sub-task, with `parent`). */
  create(reminder: NewReminder): Promise<Reminder>
  /** Changes a reminder; `CONFLICT` when it changed on the server meanwhile. */
  update(id: string, changes: ReminderUpdate): Promise<Reminder>
  /** Marks a reminder completed now. */
  complete(id: string, options?: CallOptions): Promise<Reminder>
  /** Deletes a reminder and its sub-tasks (`Deleted = 1`, as the web app does). */
  remove(id: string, options?: CallOptions): Promise<void>
  /** The zone's current sync token, to pass to {@link RemindersApi.changes} later. */
  syncToken(options?: CallOptions): Promise<string>
  /** What changed since `since` (everything without it), with the next token. */
  changes(since?: string, options?: CallOptions): Promise<ReminderChanges>
}
