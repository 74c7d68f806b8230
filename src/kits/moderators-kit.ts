import type { KitInput } from './kit.ts'
import { roleApprovalPolicy } from './role-approval.ts'

/** Moderators act freely; members propose, and any one moderator approves or rejects. */
export const moderatorsKit = {
  name: 'moderators',
  title: 'Moderators',
  description:
    "Moderators' actions pass at once. Other members propose; the first moderator to vote decides: one yes passes, one no fails. The creator is the first moderator.",
  roles: [
    {
      name: 'Member',
      description: 'Everyone: may propose actions, which a moderator approves or rejects.',
      permissions: ['propose:*', 'view_logs'],
      isDefault: true,
      grantTo: 'all',
    },
    {
      name: 'Moderator',
      description: "Acts freely, and approves or rejects members' actions.",
      permissions: ['propose:*', 'vote', 'view_logs', 'manage_integrations'],
      grantTo: 'creator',
    },
  ],
  policies: [
    roleApprovalPolicy({
      name: 'Moderators approve platform actions',
      description: "Moderators' platform actions pass; others' need one moderator's yes, and one no rejects them.",
      kind: 'platform',
      role: 'Moderator',
    }),
    roleApprovalPolicy({
      name: 'Moderators approve constitution actions',
      description: "Moderators' changes pass; others' need one moderator's yes, and one no rejects them.",
      kind: 'constitution',
      role: 'Moderator',
    }),
  ],
} satisfies KitInput
