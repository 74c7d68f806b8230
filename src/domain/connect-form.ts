/**
 * A connection made with a form (an API key rather than OAuth): the settings page shows the
 * fields and posts them, as JSON with `community`, to `path`, which answers a `FormConnection`.
 * Declared by a platform (`PlatformLinks.connectForm`) and sent as is to the dashboard.
 */
export interface ConnectForm {
  path: string
  /** A line under the form's heading: where to get what it asks for. */
  intro: string
  fields: ConnectFormField[]
}

/** The kinds of field a connect form may ask for. */
export const connectFieldTypes = ['url', 'text', 'password', 'checkbox'] as const

export interface ConnectFormField {
  /** The JSON property it is posted as. */
  name: string
  label: string
  type: (typeof connectFieldTypes)[number]
  hint?: string
  placeholder?: string
}

/** What a connect form's route answers. */
export interface FormConnection {
  integrationId: number
  /** Where switching it on (`constitution.addIntegration`) got to; `code` says why it was refused. */
  activation:
    | { status: 'active' }
    | { status: 'proposed' | 'failed' | 'errored'; proposalId: number }
    | { status: 'refused'; code: string }
  /** People of the platform imported as members. */
  members: number
  /** Of them, the platform's admins and moderators (usernames). */
  staff?: string[]
  /** The webhook the platform's admin enters (or PolicyKit made: `created`; `error` says why it could not). */
  webhook?: { url: string; contentType: string; secret: string; created?: boolean; error?: string }
}
