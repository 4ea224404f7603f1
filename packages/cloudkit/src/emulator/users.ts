import type { OperationContext } from '@sigwire/emulator-kit/cloudkit'
import { badRequest, cloudKitError, listOf } from '@sigwire/emulator-kit/cloudkit'
import type { CloudKitUserConfig } from './options.js'

/** The identity CloudKit returns for a user (DOC `FetchCurrentUserIdentity`). */
export function identity(user: CloudKitUserConfig): Record<string, unknown> {
  return {
    userRecordName: user.userRecordName,
    ...(user.emailAddress ? { lookupInfo: { emailAddress: user.emailAddress } } : {}),
    nameComponents: {
      ...(user.givenName ? { givenName: user.givenName } : {}),
      ...(user.familyName ? { familyName: user.familyName } : {}),
    },
  }
}

/** Users operations over the configured directory. */
export function usersOperation(
  ctx: OperationContext,
  operation: string,
  users: readonly CloudKitUserConfig[],
): Record<string, unknown> {
  const me = users.find((u) => u.userRecordName === ctx.principal.userRecordName)
  const discoverable = users.filter((u) => u.discoverable !== false)
  switch (operation) {
    case 'users/caller':
      return { users: [identity(me ?? { userRecordName: ctx.principal.userRecordName ?? '' })] }
    case 'users/current':
      return { userRecordName: ctx.principal.userRecordName }
    case 'users/discover': {
      const infos = listOf(ctx.body, 'lookupInfos') as Array<Record<string, string>>
      return { users: infos.flatMap((info) => discoverable.filter((u) => matches(u, info)).map(identity)) }
    }
    case 'users/lookup/email': {
      const wanted = listOf(ctx.body, 'users') as Array<{ emailAddress?: string }>
      return {
        users: wanted.flatMap((w) =>
          discoverable.filter((u) => u.emailAddress === w.emailAddress).map(identity),
        ),
      }
    }
    case 'users/lookup/id': {
      const wanted = listOf(ctx.body, 'users') as Array<{ userRecordName?: string }>
      return {
        users: wanted.flatMap((w) =>
          discoverable.filter((u) => u.userRecordName === w.userRecordName).map(identity),
        ),
      }
    }
    default:
      throw cloudKitError('NOT_FOUND', `Unknown users operation ${operation}.`)
  }
}

function matches(user: CloudKitUserConfig, info: Record<string, string>): boolean {
  if (info.emailAddress !== undefined) return user.emailAddress === info.emailAddress
  if (info.userRecordName !== undefined) return user.userRecordName === info.userRecordName
  if (info.phoneNumber !== undefined) return false
  throw badRequest('Each lookupInfo needs emailAddress, phoneNumber or userRecordName.')
}
