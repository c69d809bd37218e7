import { isIP } from 'node:net';
import { invalid } from '../../common/errors.js';

/**
 * IP addresses are tokenised only to link applicants who applied from the same network (MISSION requirement 8:
 * "same Wi-Fi/IP"), so the text that gets tokenised must be the same for every spelling of the same network:
 *
 * - IPv4: the dotted quad as is (Node's `isIP` already refuses leading zeros and other ambiguous spellings).
 * - IPv4-mapped IPv6 (`::ffff:1.2.3.4`): the IPv4 address it carries, because dual-stack servers report either form.
 * - Other IPv6: the /64 network in RFC 5952 form (`2001:db8:1:2::/64`). Hosts pick a new random interface ID every
 *   day or so (privacy extensions, RFC 8981) while a household, a Wi-Fi or a phone's mobile connection keeps its /64,
 *   so the full address would link nobody and the /64 is the IPv6 equivalent of "the same Wi-Fi". Zone IDs
 *   (`%eth0`) are dropped.
 */

/** Prefix length kept of an IPv6 address: one subscriber / one LAN. */
export const IPV6_LINK_PREFIX = 64;

function expandIpv6(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The linkage key of an IP address (see above). Throws INVALID_ARGUMENT (`field`) when the text is not an IP address;
 * call it on validated input ({@link validateDevice} checks `device.ip`).
 */
export function normaliseIp(ip: string, field = 'device.ip'): string {
  const bare = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) throw invalid(field, 'must be an IPv4 or IPv6 address');
  // The WHATWG URL parser serialises IPv6 in RFC 5952 form: lower case, no leading zeros, longest zero run as `::`.
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const groups = expandIpv6(canonical);
  if (groups.length !== 8) throw invalid(field, 'must be an IPv4 or IPv6 address');
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6]!;
    const lo = groups[7]!;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const network = [...groups.slice(0, IPV6_LINK_PREFIX / 16), 0, 0, 0, 0].map((g) => g.toString(16)).join(':');
  return `${new URL(`http://[${network}]/`).hostname.slice(1, -1)}/${IPV6_LINK_PREFIX}`;
}
