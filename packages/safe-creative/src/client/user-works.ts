import type { CallOptions } from '@sigwire/core'
import { resyncOnInvalidTime } from '../auth/resync-ztime.js'
import { safeCreativeError, toSafeCreativeError } from '../errors.js'
import type { ParamPair } from '../signing/params.js'
import type { AuthkeyCredentials } from '../signing/signer.js'
import { text } from '../xml/parse-response.js'
import { accountParams, type ModifyUserInput, stateOf, type UserQuota } from './account-models.js'
import { callOptions, expectReady, requireText } from './app-components.js'
import { type DownloadInfo, toDownloadInfo } from './catalog-models.js'
import type { Client } from './client.js'
import type { AuthkeyState } from './models.js'
import { type RightsHoldersApi, rightsHoldersApi } from './rights-holders.js'
import type { UploadOptions } from './upload.js'
import { fieldParams, sourceParams, type WorkFields, type WorkLink, type WorkSource } from './work-fields.js'

/** What an update changes: any registration field, plus tags and links added to the existing ones. */
export interface WorkUpdate extends Partial<WorkFields> {
  /** Tags added to the work's tags (`extratags`). */
  readonly extraTags?: string | readonly string[]
  /** Links added to the work's links (`extralinkN`). */
  readonly extraLinks?: readonly WorkLink[]
}

/** Input of {@link UserWorksApi.attachFile}: a file to upload, or a ticket of one already uploaded. */
export type AttachmentSource =
  | {
      /** A file to upload. */
      readonly path: string
    }
  | {
      /** The ticket of a file uploaded before. */
      readonly uploadTicket: string
    }

/** The state of an upload ticket (`work.uploadticket.status`, §9). */
export type UploadTicketState = 'ready' | 'processing'

/**
 * The components that manage an authorized user's account and existing works
 * (docs/protocols/safe-creative.md §9), part of {@link UserApi}.
 */
export interface UserWorksApi {
  /** Changes the user's account (`user.modify`, MANAGE; a partner component). */
  modify(input: ModifyUserInput, options?: CallOptions): Promise<void>
  /** The user's disk and registration quota (`user.quota`, signed with the application's key). */
  quota(options?: CallOptions): Promise<UserQuota>
  /**
   * Updates a registered work (`work.register` with `code`, MANAGE): the fields given replace the
   * work's, `extraTags`/`extraLinks` add to them, `source` (optional) registers a new version of the
   * content. Like a registration it spends a fresh noncekey and is never repeated blindly.
   */
  updateWork(
    code: string,
    update: WorkUpdate,
    options?: CallOptions & { source?: WorkSource },
  ): Promise<string>
  /** Deletes a work (`work.delete`, MANAGE). */
  deleteWork(code: string, options?: CallOptions): Promise<void>
  /** A time-limited URL of the work's file (`work.download.private`; the work must be REGISTERED). */
  downloadWork(code: string, options?: CallOptions): Promise<DownloadInfo>
  /** Mails the registration certificate to the user (`work.certificate`). */
  sendCertificate(code: string, options?: CallOptions): Promise<void>
  /** A URL of the registration certificate PDF (`work.registration-certificate`). */
  registrationCertificate(code: string, options?: CallOptions & { locale?: string }): Promise<DownloadInfo>
  /**
   * Attaches a file to a work (`work.attachfile`, MANAGE): uploads `path` first (as `upload` does,
   * with its options and progress), or uses an upload ticket.
   */
  attachFile(
    code: string,
    source: AttachmentSource,
    attachment: { title: string; public?: boolean },
    options?: UploadOptions,
  ): Promise<void>
  /** Whether an upload ticket is ready for `work.register` (`work.uploadticket.status`). */
  uploadTicketStatus(uploadTicket: string, options?: CallOptions): Promise<UploadTicketState>
  /** Copyright holders of the user's works. */
  readonly rightsHolders: RightsHoldersApi
}

/** What {@link userWorksApi} needs of the rest of the user API. */
export interface UserWorksDeps {
  state(options?: CallOptions): Promise<AuthkeyState>
  upload(path: string, options?: UploadOptions): Promise<string>
}

const tags = (value: string | readonly string[]) => (typeof value === 'string' ? value : value.join(', '))

/** The parameters of an update, before `code` and `noncekey`. */
export function updateParams(update: WorkUpdate, source: WorkSource | undefined): ParamPair[] {
  const { extraTags, extraLinks, ...fields } = update
  const out = [...(source ? sourceParams(source) : []), ...fieldParams(fields)]
  if (extraTags !== undefined) out.push(['extratags', tags(extraTags)])
  extraLinks?.forEach((link, i) => {
    out.push([`extralink${i + 1}`, `${link.url}|${link.name}|${link.type ?? 'INFO'}`])
  })
  return out
}

/** @internal The {@link UserWorksApi} of `auth`. */
export function userWorksApi(client: Client, auth: AuthkeyCredentials, deps: UserWorksDeps): UserWorksApi {
  const signed = (options: CallOptions, root: string) => ({ ...callOptions(options), auth, root })
  const ready = async (component: string, params: Record<string, string>, options: CallOptions) =>
    expectReady(await client.call(component, params, signed(options, 'restvalueresponse')), component)
  const download = async (component: string, params: Record<string, string>, options: CallOptions) =>
    toDownloadInfo(await client.call(component, params, signed(options, 'downloadinfo')))
  return {
    modify: (input, options = {}) =>
      ready('user.modify', Object.fromEntries(accountParams(input ?? {})), options),
    quota: (options = {}) => client.userQuota(auth.authkey, options),
    updateWork: async (code, update, options = {}) => {
      requireText(code, 'code')
      let params: ParamPair[]
      try {
        params = updateParams(update ?? {}, options.source)
      } catch (error) {
        throw toSafeCreativeError(error)
      }
      return resyncOnInvalidTime(
        client,
        async () => {
          // An update spends a noncekey like a registration (docs/protocols/safe-creative.md §2.5).
          const current = await deps.state(options)
          if (!current.authorized || !current.nonceKey)
            throw safeCreativeError(
              'NOT_AUTHORIZED',
              'The authkey is not authorized (authkey.state gave no noncekey); authorize it first.',
            )
          const value = await client.send(
            'work.register',
            [...params, ['code', code], ['noncekey', current.nonceKey]],
            { ...signed(options, 'workregistry'), method: 'POST' },
          )
          const answered = text(value, 'code')
          if (answered !== code)
            throw safeCreativeError(
              'INVALID_RESPONSE',
              `work.register with code ${code} answered ${JSON.stringify(answered)}, not the same code.`,
            )
          return answered
        },
        options,
      )
    },
    deleteWork: async (code, options = {}) => {
      requireText(code, 'code')
      await ready('work.delete', { code }, options)
    },
    downloadWork: async (code, options = {}) => {
      requireText(code, 'code')
      return download('work.download.private', { code }, options)
    },
    sendCertificate: async (code, options = {}) => {
      requireText(code, 'code')
      await ready('work.certificate', { code }, options)
    },
    registrationCertificate: async (code, options = {}) => {
      requireText(code, 'code')
      return download(
        'work.registration-certificate',
        { code, ...(options.locale === undefined ? {} : { locale: options.locale }) },
        options,
      )
    },
    attachFile: async (code, source, attachment, options = {}) => {
      requireText(code, 'workcode')
      requireText(attachment?.title, 'title')
      const ticket = 'path' in source ? await deps.upload(source.path, options) : source.uploadTicket
      requireText(ticket, 'uploadticket')
      await ready(
        'work.attachfile',
        {
          workcode: code,
          uploadticket: ticket,
          title: attachment.title,
          ...(attachment.public === undefined ? {} : { public: attachment.public ? '1' : '0' }),
        },
        options,
      )
    },
    uploadTicketStatus: async (uploadTicket, options = {}) => {
      requireText(uploadTicket, 'uploadticket')
      const value = await client.call(
        'work.uploadticket.status',
        { uploadticket: uploadTicket },
        signed(options, 'restvalueresponse'),
      )
      const state = stateOf(value)
      if (state !== 'ready' && state !== 'processing')
        throw safeCreativeError(
          'INVALID_RESPONSE',
          `work.uploadticket.status answered state ${JSON.stringify(state)}, not ready or processing.`,
        )
      return state
    },
    rightsHolders: rightsHoldersApi(client, auth),
  }
}
