interface AccountFieldsProps {
  idPrefix: string
  username: string
  setUsername: (value: string) => void
  displayName: string
  setDisplayName: (value: string) => void
  password: string
  setPassword: (value: string) => void
  confirmation: string
  setConfirmation: (value: string) => void
}

/** Username, display name and a new password twice (set-up and invites). */
export function AccountFields(props: AccountFieldsProps) {
  const { idPrefix: p } = props
  return (
    <>
      <div className="field">
        <label htmlFor={`${p}-username`}>Username</label>
        <input
          id={`${p}-username`}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={40}
          pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
          aria-describedby={`${p}-username-hint`}
          value={props.username}
          onChange={(e) => props.setUsername(e.target.value)}
        />
        <p id={`${p}-username-hint`} className="hint">
          Letters, digits, dots, dashes or underscores.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${p}-display-name`}>Display name</label>
        <input
          id={`${p}-display-name`}
          autoComplete="name"
          maxLength={100}
          value={props.displayName}
          onChange={(e) => props.setDisplayName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${p}-password`}>Password</label>
        <input
          id={`${p}-password`}
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          aria-describedby={`${p}-password-hint`}
          value={props.password}
          onChange={(e) => props.setPassword(e.target.value)}
        />
        <p id={`${p}-password-hint`} className="hint">
          At least 8 characters.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${p}-confirmation`}>Confirm password</label>
        <input
          id={`${p}-confirmation`}
          type="password"
          autoComplete="new-password"
          required
          value={props.confirmation}
          onChange={(e) => props.setConfirmation(e.target.value)}
        />
      </div>
    </>
  )
}
