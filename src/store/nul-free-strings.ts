import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely'

/** What a NUL becomes: the replacement character, so the text still shows that something was there. */
const replacement = '\ufffd'

/** `value` with each NUL replaced, when it is a string; anything else as it is. */
export function withoutNul<T>(value: T): T {
  return typeof value === 'string' && value.includes('\u0000') ? (value.replaceAll('\u0000', replacement) as T) : value
}

class NulFreeTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return { ...super.transformValue(node), value: withoutNul(node.value) }
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...super.transformPrimitiveValueList(node), values: node.values.map(withoutNul) }
  }
}

/**
 * PostgreSQL's text columns cannot hold NUL ("invalid byte sequence for encoding UTF8: 0x00"):
 * one in a query's parameters fails the whole statement, and with it the transaction. The HTTP
 * edge refuses NUL (server/refuse-nul.ts); what else writes text (a policy's log lines and error
 * messages, platform data) goes through this plugin, which replaces NUL with U+FFFD. PostgreSQL
 * only: SQLite stores NUL as it is, and its queries are too fast to pay for a tree walk.
 */
export class NulFreeStrings implements KyselyPlugin {
  readonly #transformer = new NulFreeTransformer()

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(node)
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result
  }
}
