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
  'work.download.private': 'GET',
  'work.certificate': 'GET',
  'work.registration-certificate': 'GET',
  'work.attachfile': 'MANAGE',
  'work.uploadticket.status': 'ADD',
  'work.rightsholders.add': 'MANAGE',
  'work.rightsholders.list': 'GET',
  'work.rightsholders.remove': 'MANAGE',
  'user.modify': 'MANAGE',
}

/** Work type groups: group code and name, then the codes of `WORK_TYPES` in it (`work.types.tree`). */
export const WORK_TYPE_GROUPS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['Literary', 'Literary', ['article', 'text']],
  ['Audiovisual', 'Audiovisual', ['music', 'video']],
  ['Visual', 'Visual arts', ['photo', 'image']],
  ['Other', 'Other', ['software', 'other']],
]

/** Countries for account addresses (`user.countries`): code, name. */
export const COUNTRIES: ReadonlyArray<readonly [string, string]> = [
  ['ES', 'Spain'],
  ['GB', 'United Kingdom'],
  ['US', 'United States'],
  ['FR', 'France'],
  ['DE', 'Germany'],
  ['IT', 'Italy'],
  ['PT', 'Portugal'],
  ['MX', 'Mexico'],
]

/** License features and the values each takes (DOC `License.features`, the wiki's example). */
export const LICENSE_FEATURES: ReadonlyArray<readonly [string, string, string, readonly string[]]> = [
  [
    'distribution',
    'Work can be copied and distributed',
    'Distribution',
    ['YES', 'YES_WITH_RESTRICTIONS', 'NO', 'NOT_APPLICABLE'],
  ],
  [
    'commercial',
    'Commercial use of this work is allowed',
    'Commercial',
    ['YES', 'YES_WITH_RESTRICTIONS', 'NO', 'NOT_APPLICABLE'],
  ],
  [
    'derivations',
    'Derived works can be produced',
    'Derivative',
    ['YES', 'YES_WITH_RESTRICTIONS', 'INHERITANCE', 'NO', 'NOT_APPLICABLE'],
  ],
  ['recognition', 'Author must be recognized', 'Recognition', ['YES', 'NO', 'NOT_APPLICABLE']],
  ['timelimited', 'License has a limited period of application', 'Time limited', ['YES', 'NOT_APPLICABLE']],
]
