/** Lookup lists the emulator serves (illustrative values in Safe Creative's shapes, §4). */
export const WORK_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['article', 'Article'],
  ['music', 'Music'],
  ['photo', 'Photography'],
  ['image', 'Image'],
  ['video', 'Video'],
  ['software', 'Software'],
  ['text', 'Text'],
  ['other', 'Other'],
]

/** Work languages. */
export const WORK_LANGUAGES: ReadonlyArray<readonly [string, string]> = [
  ['en', 'English'],
  ['es', 'Spanish'],
  ['fr', 'French'],
  ['de', 'German'],
  ['pt', 'Portuguese'],
  ['it', 'Italian'],
]

/** Licenses every emulated user may use: code, name, short name, URL. */
export const LICENSES: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    'cc-by-4.0',
    'Creative Commons Attribution 4.0 International',
    'CC BY 4.0',
    'https://creativecommons.org/licenses/by/4.0/',
  ],
  [
    'cc-by-sa-4.0',
    'Creative Commons Attribution-ShareAlike 4.0 International',
    'CC BY-SA 4.0',
    'https://creativecommons.org/licenses/by-sa/4.0/',
  ],
  [
    'cc-by-nc-4.0',
    'Creative Commons Attribution-NonCommercial 4.0 International',
    'CC BY-NC 4.0',
    'https://creativecommons.org/licenses/by-nc/4.0/',
  ],
  [
    'cc-by-nd-4.0',
    'Creative Commons Attribution-NoDerivatives 4.0 International',
    'CC BY-ND 4.0',
    'https://creativecommons.org/licenses/by-nd/4.0/',
  ],
  ['cc0-1.0', 'CC0 1.0 Universal', 'CC0 1.0', 'https://creativecommons.org/publicdomain/zero/1.0/'],
  ['all-rights-reserved', 'All rights reserved', 'ARR', 'https://www.safecreative.org/'],
]

/** Level each authkey-signed component needs (§3: GET reads, ADD registers and uploads, MANAGE changes). */
export const COMPONENT_LEVELS: Readonly<Record<string, 'GET' | 'ADD' | 'MANAGE'>> = {
  'work.list': 'GET',
  'work.get.private': 'GET',
  'user.profiles': 'GET',
  'user.licenses': 'GET',
  'work.register': 'ADD',
  'work.upload.lookup': 'ADD',
  'work.upload.begin': 'ADD',
  'work.upload.chunk': 'ADD',
  'work.upload.commit': 'ADD',
  'work.delete': 'MANAGE',
}
