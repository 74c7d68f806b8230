import { AppError } from '../errors.ts'
import { democracyKit } from './democracy-kit.ts'
import { dictatorKit } from './dictator-kit.ts'
import { juryKit } from './jury-kit.ts'
import { parseKit, type Kit, type KitInput } from './kit.ts'
import { moderatorsKit } from './moderators-kit.ts'
import { testingKit } from './testing-kit.ts'

/** In the order they are offered. */
const kitData: readonly KitInput[] = [testingKit, dictatorKit, moderatorsKit, democracyKit, juryKit]

/** Every starter kit, parsed (a kit file that does not parse is a bug the kit tests catch). */
export function listKits(): Kit[] {
  return kitData.map((data) => parseKit(data))
}

export function getKit(name: string): Kit {
  const kit = listKits().find((k) => k.name === name)
  if (!kit) {
    const names = kitData.map((k) => k.name).join(', ')
    throw new AppError('not_found', `no starter kit '${name}' (kits: ${names})`)
  }
  return kit
}
