/**
 * Compares a payload field by field with a full-shape sample (java-slack-sdk's json-logs: every
 * field the SDK has seen, with a placeholder value of its type). A field the sample lacks, or one
 * of another JSON type, is a problem; a `null` or empty-object placeholder accepts anything.
 */
export function compareToSample(value: unknown, sample: unknown, path = '$'): string[] {
  if (sample === null || (isObject(sample) && Object.keys(sample).length === 0)) {
    return []
  }
  if (value === null) {
    // Slack sends null for absent objects (enterprise, parent_conversation); the samples show the object.
    return isObject(sample) || typeof sample === 'string' ? [] : [`${path}: null where ${kind(sample)} expected`]
  }
  if (kind(value) !== kind(sample)) {
    return [`${path}: ${kind(value)} where the sample has ${kind(sample)}`]
  }
  if (Array.isArray(value) && Array.isArray(sample)) {
    const example: unknown = sample[0]
    return example === undefined ? [] : value.flatMap((item, i) => compareToSample(item, example, `${path}[${i}]`))
  }
  if (isObject(value) && isObject(sample)) {
    return Object.entries(value).flatMap(([name, field]) =>
      name in sample ? compareToSample(field, sample[name], `${path}.${name}`) : [`${path}.${name}: not in the sample`],
    )
  }
  return []
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function kind(value: unknown): string {
  if (value === null) {
    return 'null'
  }
  return Array.isArray(value) ? 'array' : typeof value
}
