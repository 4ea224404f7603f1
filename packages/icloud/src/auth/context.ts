import type { ICloudEndpoints } from '../constants.js'
import type { SessionHttp } from '../session/http.js'
import type { SessionState } from '../session/state.js'

/** What the sign-in steps share. */
export interface AuthContext {
  readonly http: SessionHttp
  readonly state: SessionState
  readonly endpoints: ICloudEndpoints
  /** `auth-<uuid>`, one per sign-in (OAuth state and frame id). */
  readonly oauthState: string
  readonly signal?: AbortSignal
}
