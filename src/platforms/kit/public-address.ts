import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

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
