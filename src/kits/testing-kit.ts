import type { KitInput } from './kit.ts'

/** Everything passes at once: for trying PolicyKit out, never for a live community. */
export const testingKit = {
  name: 'testing',
  title: 'Testing',
  description: 'Every member may propose anything, and every action passes at once. For trying PolicyKit out.',
  roles: [
    {
      name: 'Member',
      description: 'Everyone: may propose every action and vote.',
      permissions: ['propose:*', 'vote', 'view_logs', 'manage_integrations'],
      isDefault: true,
      grantTo: 'all',
    },
  ],
  policies: [
    {
      format: 'policykit.policy/1',
      name: 'All platform actions pass',
      description: 'The base platform policy: every platform action passes at once.',
      kind: 'platform',
      blocks: { check: 'return PASSED' },
    },
    {
      format: 'policykit.policy/1',
      name: 'All constitution actions pass',
      description: 'The base constitution policy: every change to PolicyKit passes at once.',
      kind: 'constitution',
      blocks: { check: 'return PASSED' },
    },
  ],
} satisfies KitInput
