import { policyArgs } from '../kit/policy-args.ts'

/** Reddit's policy functions' arguments, parsed with errors naming the function (`reddit.<fn>`). */
export const { parseArgs } = policyArgs('reddit')
