import { parseArgs } from 'node:util'
import { createInviteLink } from '../invite-link.ts'
import { withAdminRole } from '../kits/admin-role.ts'
import { createCommunityWithKit } from '../kits/apply-kit.ts'
import { listKits } from '../kits/list-kits.ts'
import type { Store } from '../store/store.ts'
import type { CliOutput } from './policy-command.ts'

export const communityUsage = `usage:
  policykit community create --name NAME --kit KIT --admin USERNAME [--admin-name "Display Name"]
  policykit community list
  policykit community invite --community ID [--member USERNAME]

create makes a community with a starter kit (see policykit kits); the admin is its creator, who
gets the kit's creator roles and the Admin role (manage_members, manage_integrations, view_logs),
as the web set-up gives, and a link is printed for them to make their dashboard account.
invite prints a single-use link (7 days) that makes whoever opens it a member; with --member, a
link that gives that existing member a dashboard account.

Links start with POLICYKIT_PUBLIC_URL (default http://localhost:<PORT>), read from the environment
as the server reads it: run these commands with the server's settings.`

export interface CommunityCommandDeps {
  openStore(): Promise<Store>
  /** Where people reach PolicyKit (POLICYKIT_PUBLIC_URL): links start with it. */
  publicUrl: string
  /** Which setting gave publicUrl (config.publicUrlSource), said under every link. */
  publicUrlSource?: string
  now?: () => number
}

const options = {
  name: { type: 'string' },
  kit: { type: 'string' },
  admin: { type: 'string' },
  'admin-name': { type: 'string' },
  community: { type: 'string' },
  member: { type: 'string' },
} as const

/** `policykit community …`: create a community with a starter kit, list them, or make invite links. */
export async function runCommunityCommand(argv: string[], io: CliOutput, deps: CommunityCommandDeps): Promise<number> {
  const now = deps.now ?? Date.now
  const [sub, ...rest] = argv
  if (sub !== 'create' && sub !== 'list' && sub !== 'invite') {
    io.err(`${communityUsage}\n`)
    return 2
  }
  const { values } = parseArgs({ args: rest, strict: true, options })
  if (sub === 'create' && (!values.name || !values.kit || !values.admin)) {
    io.err(
      `policykit community create: --name, --kit and --admin are required (kits: ${listKits()
        .map((k) => k.name)
        .join(', ')})\n`,
    )
    return 2
  }
  const communityId = Number(values.community)
  if (sub === 'invite' && !(Number.isSafeInteger(communityId) && communityId > 0)) {
    io.err('policykit community invite: --community needs a community id (see policykit community list)\n')
    return 2
  }
  const store = await deps.openStore()
  try {
    if (sub === 'list') {
      for (const community of await store.communities.listAll()) {
        io.out(`${community.id}\t${community.name}\n`)
      }
      return 0
    }
    if (sub === 'invite') {
      return await invite(store, io, { ...deps, now }, communityId, values.member)
    }
    const { community, creator } = await createCommunityWithKit(store, {
      name: values.name ?? '',
      // The founder gets the Admin role, as the web set-up gives it: they can invite members at once.
      kit: withAdminRole(values.kit ?? ''),
      creator: { username: values.admin ?? '', ...(values['admin-name'] ? { displayName: values['admin-name'] } : {}) },
      now: now(),
    })
    const { url } = await createInviteLink(store, {
      communityId: community.id,
      createdByMemberId: null,
      forMember: creator,
      now: now(),
      publicUrl: deps.publicUrl,
    })
    io.out(
      `created community ${community.id} '${community.name}' with the ${values.kit} kit; admin: ${creator.username} (member ${creator.id})\n` +
        `${creator.username} makes their dashboard account here (single use, 7 days): ${url}\n` +
        linkSource(deps),
    )
    return 0
  } finally {
    await store.close()
  }
}

/** Where a printed link's address came from, so a link to the wrong port is explained, not puzzling. */
function linkSource(deps: CommunityCommandDeps): string {
  return deps.publicUrlSource === undefined
    ? ''
    : `(the link starts with ${deps.publicUrl}, from ${deps.publicUrlSource}; the server must use the same setting)\n`
}

async function invite(
  store: Store,
  io: CliOutput,
  deps: CommunityCommandDeps & { now: () => number },
  communityId: number,
  username: string | undefined,
): Promise<number> {
  const community = await store.communities.get(communityId)
  if (!community) {
    io.err(`policykit community invite: no community ${communityId} (see policykit community list)\n`)
    return 1
  }
  const member = username === undefined ? null : await store.members.getByUsername(communityId, username)
  if (member === undefined) {
    io.err(`policykit community invite: no member ${username ?? ''} in '${community.name}'\n`)
    return 1
  }
  const { url } = await createInviteLink(store, {
    communityId,
    createdByMemberId: null,
    forMember: member,
    now: deps.now(),
    publicUrl: deps.publicUrl,
  })
  io.out(
    member
      ? `${member.username} makes their dashboard account here (single use, 7 days): ${url}\n`
      : `invite to '${community.name}' (single use, 7 days): ${url}\n`,
  )
  io.out(linkSource(deps))
  return 0
}
