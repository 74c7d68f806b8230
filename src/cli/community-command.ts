import { parseArgs } from 'node:util'
import { createCommunityWithKit } from '../kits/apply-kit.ts'
import { listKits } from '../kits/list-kits.ts'
import type { Store } from '../store/store.ts'
import type { CliOutput } from './policy-command.ts'

export const communityUsage = `usage:
  policykit community create --name NAME --kit KIT --admin USERNAME [--admin-name "Display Name"]
  policykit community list

create makes a community with a starter kit (see policykit kits); the admin is its creator, who
gets the kit's creator roles.`

/** `policykit community …`: create a community with a starter kit, or list them. */
export async function runCommunityCommand(
  argv: string[],
  io: CliOutput,
  openStore: () => Promise<Store>,
  now: () => number = Date.now,
): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'create' && sub !== 'list') {
    io.err(`${communityUsage}\n`)
    return 2
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      name: { type: 'string' },
      kit: { type: 'string' },
      admin: { type: 'string' },
      'admin-name': { type: 'string' },
    },
  })
  if (sub === 'create' && (!values.name || !values.kit || !values.admin)) {
    io.err(
      `policykit community create: --name, --kit and --admin are required (kits: ${listKits()
        .map((k) => k.name)
        .join(', ')})\n`,
    )
    return 2
  }
  const store = await openStore()
  try {
    if (sub === 'list') {
      for (const community of await store.communities.listAll()) {
        io.out(`${community.id}\t${community.name}\n`)
      }
      return 0
    }
    const { community, creator } = await createCommunityWithKit(store, {
      name: values.name ?? '',
      kit: values.kit ?? '',
      creator: { username: values.admin ?? '', ...(values['admin-name'] ? { displayName: values['admin-name'] } : {}) },
      now: now(),
    })
    io.out(
      `created community ${community.id} '${community.name}' with the ${values.kit} kit; admin: ${creator.username} (member ${creator.id})\n`,
    )
    return 0
  } finally {
    await store.close()
  }
}
