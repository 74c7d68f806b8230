import { z } from 'zod'
import { AppError } from '../errors.ts'

/**
 * The form in which two names are the same name to people: "Admin", "admin" and " ADMIN" name
 * one role, and "Ｃharter" (a full-width letter) is "Charter". Unicode compatibility
 * normalisation, then case folding.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase()
}

/** The first of `items` (other than the one with `exceptId`) whose name is the same name as `name`. */
export function findSameName<T extends { id: number; name: string }>(
  items: readonly T[],
  name: string,
  exceptId?: number,
): T | undefined {
  const key = nameKey(name)
  return items.find((item) => item.id !== exceptId && nameKey(item.name) === key)
}

/**
 * Refuses a name another item of the same kind already has, naming the clash: `what` is e.g.
 * "a role" or "an active policy".
 */
export function refuseSameName<T extends { id: number; name: string }>(
  what: string,
  items: readonly T[],
  name: string,
  exceptId?: number,
): void {
  const clash = findSameName(items, name, exceptId)
  if (clash === undefined) {
    return
  }
  const sameSpelling = clash.name === name.trim()
  throw new AppError(
    'conflict',
    `${what} named '${clash.name}' already exists (id ${clash.id})${
      sameSpelling ? '' : `; '${name.trim()}' differs from it only by case or spacing`
    }: choose another name`,
  )
}

/**
 * A name people give something: trimmed, and refused when empty or only spaces with a message
 * that says so (zod's own is "Too small: expected string to have >=1 characters").
 */
export function nameSchema(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty or only spaces')
    .max(maxLength, `must be at most ${maxLength} characters`)
}
