import { lookup as lookupCallback, type LookupAddress, type LookupOptions } from 'node:dns'
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { Agent, fetch as undiciFetch } from 'undici'
import { AppError } from '../../errors.ts'

/**
 * Addresses that are not on the public internet: this host, private and shared networks,
 * link-local (cloud metadata services answer there), multicast and reserved ranges.
 */
const notPublic = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv6')
}

/** IPv4 written as IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it is. */
const mappedIpv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i

function isPublic(address: string): boolean {
  const mapped = mappedIpv4.exec(address)?.[1]
  if (mapped !== undefined) {
    return !notPublic.check(mapped, 'ipv4')
  }
  return !notPublic.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

/**
 * The first address of `url`'s host that is not public (its own, or one its name resolves to),
 * or undefined when every one is public. A name that does not resolve is left to the request
 * that follows, which then says the address cannot be reached. Guards addresses a community
 * enters (a forum to connect), so that PolicyKit cannot be made to call into its own network.
 */
export async function privateAddressOf(url: string): Promise<string | undefined> {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  let addresses: string[]
  if (isIP(host) !== 0) {
    addresses = [host]
  } else {
    try {
      addresses = (await lookup(host, { all: true })).map((found) => found.address)
    } catch {
      return undefined
    }
  }
  return addresses.find((address) => !isPublic(address))
}

/** A name that resolved to an address off the public internet, refused where the connection is made. */
class NotPublic extends Error {
  readonly address: string
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, which is not on the public internet`)
    this.address = address
  }
}

/** `dns.lookup` for a connection: refuses a name with one address `allowed` refuses. */
function guardedLookup(allowed: (address: string) => boolean) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, [])
        return
      }
      const hidden = addresses.find((found) => !allowed(found.address))
      const first = addresses[0]
      if (hidden !== undefined || first === undefined) {
        callback(new NotPublic(hostname, hidden?.address ?? 'no address'), [])
      } else if (options.all === true) {
        callback(null, addresses)
      } else {
        callback(null, first.address, first.family)
      }
    })
  }
}

function refusal(url: URL, address: string): AppError {
  return new AppError(
    'platform_rejected',
    `${url.origin} is on a private network or this server (${address}): PolicyKit calls only addresses on the public internet unless its operator allows private ones.`,
  )
}

/**
 * A fetch that reaches only addresses `allowed` lets through: a name is checked when the
 * connection is made, every address it resolves to then (so a name that turns to point elsewhere
 * later, DNS rebinding, is refused as well), an address written in the URL before, and a
 * redirect is refused rather than followed (where it points was never checked). Refusals are
 * `platform_rejected`, saying why.
 */
export function addressCheckedFetch(allowed: (address: string) => boolean): typeof fetch {
  const agent = new Agent({ connect: { lookup: guardedLookup(allowed) } })
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input)
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (isIP(host) !== 0 && !allowed(host)) {
      throw refusal(url, host)
    }
    let response
    try {
      // undici's own fetch: Node's takes no dispatcher from another undici release.
      response = await undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
        redirect: 'manual',
      })
    } catch (e) {
      const cause: unknown = e instanceof Error ? e.cause : undefined
      throw cause instanceof NotPublic ? refusal(url, cause.address) : e
    }
    if (response.status >= 300 && response.status < 400) {
      throw new AppError(
        'platform_rejected',
        `${url.origin} answered with a redirect to ${response.headers.get('location') ?? 'nowhere'}; PolicyKit follows none: give the address it redirects to.`,
      )
    }
    return response as unknown as Response
  }
}

/** A fetch that reaches only the public internet, for addresses a community entered (a forum's). */
export const publicOnlyFetch: typeof fetch = addressCheckedFetch(isPublic)
