import type { KitInput } from './kit.ts'
import { roleApprovalPolicy } from './role-approval.ts'

/** One member decides everything: their own actions pass, everyone else's wait for their vote. */
export const dictatorKit = {
  name: 'dictator',
  title: 'Dictator',
  description:
    "The community's creator is the Dictator. The Dictator's actions pass at once; everyone else's wait for the Dictator to approve or reject them.",
  roles: [
    {
      name: 'Member',
      description: 'Everyone: may propose actions, which the Dictator decides.',
      permissions: ['propose:*', 'view_logs'],
      isDefault: true,
      grantTo: 'all',
    },
    {
      name: 'Dictator',
      description: 'Decides every action.',
      permissions: ['propose:*', 'vote', 'view_logs', 'manage_integrations'],
      grantTo: 'creator',
    },
  ],
  policies: [
    roleApprovalPolicy({
      name: 'The Dictator decides platform actions',
      description: "The Dictator's platform actions pass; others' need the Dictator's yes, and a no rejects them.",
      kind: 'platform',
      role: 'Dictator',
    }),
    roleApprovalPolicy({
      name: 'The Dictator decides constitution actions',
      description: "The Dictator's changes pass; others' need the Dictator's yes, and a no rejects them.",
      kind: 'constitution',
      role: 'Dictator',
    }),
  ],
} satisfies KitInput
