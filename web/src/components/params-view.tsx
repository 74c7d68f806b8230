import type { JsonObject, JsonValue } from '../../../src/domain/json.ts'

const blockOrder = ['filter', 'initialize', 'check', 'notify', 'pass', 'fail']

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function Value({ value }: { value: JsonValue }) {
  if (typeof value === 'string') {
    return value.includes('\n') ? <pre className="text-block">{value}</pre> : <>{value === '' ? '(empty)' : value}</>
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return <>{value.length === 0 ? '(none)' : value.join(', ')}</>
  }
  if (typeof value === 'object' && value !== null) {
    return <pre className="text-block">{JSON.stringify(value, null, 2)}</pre>
  }
  return <>{String(value)}</>
}

/** Policy code in the params of addPolicy and changePolicy, one block at a time. */
function Blocks({ blocks }: { blocks: JsonObject }) {
  const names = [
    ...blockOrder.filter((b) => b in blocks),
    ...Object.keys(blocks).filter((b) => !blockOrder.includes(b)),
  ]
  return (
    <div className="blocks">
      {names.map((name) => {
        const code = blocks[name]
        return (
          <div key={name} className="block">
            <h3 className="block-name">{name}</h3>
            {typeof code === 'string' && code.trim() !== '' ? (
              <pre className="code" aria-label={`${name} block code`}>
                <code>{code}</code>
              </pre>
            ) : (
              <p className="muted">(empty)</p>
            )}
          </div>
        )
      })}
    </div>
  )
}

/** An action's params for people: fields as a list, policy code as code. */
export function ParamsView({ params }: { params: JsonObject }) {
  const entries = Object.entries(params).filter(([key]) => key !== 'blocks')
  const blocks = params['blocks']
  return (
    <>
      {entries.length > 0 ? (
        <dl className="params">
          {entries.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>
                <Value value={value} />
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        !isObject(blocks) && <p className="muted">No parameters.</p>
      )}
      {isObject(blocks) && <Blocks blocks={blocks} />}
    </>
  )
}
