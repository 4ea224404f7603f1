import type { SeedParagraph } from './encode-body.js'

/** A folder the emulator seeds. */
export interface SeedFolder {
  /** Its record name. */
  readonly id: string
  /** Its name. */
  readonly name: string
}

/** A note the emulator seeds. */
export interface SeedNote {
  /** Its record name. */
  readonly id: string
  /** The folder it is in. */
  readonly folder: string
  /** Its body; the first paragraph is its title. */
  readonly paragraphs: readonly SeedParagraph[]
  /** Minutes before the seed time it was created. */
  readonly ageMinutes: number
  /** In Recently Deleted. */
  readonly deleted?: boolean
  /** Locked with a password (a `PasswordProtectedNote` without a readable body). */
  readonly locked?: boolean
}

/** The default folder's record name (pyicloud tests/fixtures/notes/note_rendering_fixture.json). */
export const SEED_DEFAULT_FOLDER = 'DefaultFolder-CloudKit'

/** The folders every emulated account starts with. */
export const SEED_FOLDERS: readonly SeedFolder[] = [
  { id: SEED_DEFAULT_FOLDER, name: 'Notes' },
  { id: '6F1B2E0C-4C41-4D0C-9A57-0E3C0B8D5A11', name: 'Recipes' },
  { id: '9D2C4A7E-1B3F-4E6A-8C5D-2F7A9B1C3E22', name: 'Work' },
]

/** The notes every emulated account starts with: each paragraph style and inline format at least once. */
export const SEED_NOTES: readonly SeedNote[] = [
  {
    id: 'A1C3E5F7-0B2D-4F6A-8C1E-3A5B7C9D1E01',
    folder: SEED_DEFAULT_FOLDER,
    ageMinutes: 600,
    paragraphs: [
      { style: 'title', spans: 'Welcome to sigwire Notes' },
      { spans: 'This note is served by the emulator as a gzip\u2019d protobuf body.' },
      {
        spans: [
          { text: 'It has ' },
          { text: 'bold', bold: true },
          { text: ', ' },
          { text: 'italic', italic: true },
          { text: ' and ' },
          { text: 'a link', link: 'https://example.com/notes' },
          { text: '.' },
        ],
      },
      { style: 'heading', spans: 'Lists' },
      { style: 'dotted', spans: 'First point' },
      { style: 'dotted', spans: 'Second point' },
      { style: 'numbered', spans: 'Step one' },
      { style: 'numbered', spans: 'Step two' },
    ],
  },
  {
    id: 'B2D4F6A8-1C3E-4A7B-9D2F-4B6C8DAE2F02',
    folder: SEED_DEFAULT_FOLDER,
    ageMinutes: 300,
    paragraphs: [
      { style: 'title', spans: 'Groceries' },
      { style: 'checklist', checked: true, spans: 'Milk' },
      { style: 'checklist', checked: false, spans: 'Bread' },
      { style: 'checklist', checked: false, spans: 'Eggs \u{1F95A}' },
    ],
  },
  {
    id: 'C3E5A7B9-2D4F-4B8C-8E3A-5C7D9EBF3A03',
    folder: '6F1B2E0C-4C41-4D0C-9A57-0E3C0B8D5A11',
    ageMinutes: 200,
    paragraphs: [
      { style: 'title', spans: 'Pancakes' },
      { style: 'subheading', spans: 'Ingredients' },
      { style: 'dashed', spans: '200 g flour' },
      { style: 'dashed', spans: '2 eggs' },
      { style: 'subheading', spans: 'Method' },
      { spans: 'Whisk, rest 10 minutes, fry.' },
    ],
  },
  {
    id: 'D4F6B8CA-3E5A-4C9D-9F4B-6D8EAFC04B04',
    folder: '9D2C4A7E-1B3F-4E6A-8C5D-2F7A9B1C3E22',
    ageMinutes: 100,
    paragraphs: [
      { style: 'title', spans: 'Deploy: notes' },
      { style: 'monospaced', spans: 'pnpm build' },
      { style: 'monospaced', spans: 'pnpm test' },
      { spans: [{ text: 'Old step', strikethrough: true }] },
    ],
  },
  {
    id: 'E5A7C9DB-4F6B-4DAE-8A5C-7E9FB0D15C05',
    folder: '9D2C4A7E-1B3F-4E6A-8C5D-2F7A9B1C3E22',
    ageMinutes: 50,
    locked: true,
    paragraphs: [{ style: 'title', spans: 'Passwords' }],
  },
  {
    id: 'F6B8DAEC-5A7C-4EBF-9B6D-8FA0C1E26D06',
    folder: SEED_DEFAULT_FOLDER,
    ageMinutes: 20,
    deleted: true,
    paragraphs: [{ style: 'title', spans: 'Old draft' }, { spans: 'Thrown away.' }],
  },
]
