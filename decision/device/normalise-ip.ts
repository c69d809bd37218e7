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

/** The 8 groups of an IPv6 address that `isIP` accepted (`::` expanded, a trailing dotted IPv4 turned into 2 groups). */
function ipv6Groups(ip: string): number[] {
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const gap = ip.indexOf('::');
  if (gap < 0) return groups(ip);
  const left = groups(ip.slice(0, gap));
  const right = groups(ip.slice(gap + 2));
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text of 8 groups: lower-case hex without leading zeros, the longest run (>= 2) of zero groups as `::`. */
function rfc5952(groups: readonly number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/**
 * The linkage key of an IP address (see above). Throws INVALID_ARGUMENT (`field`) when the text is not an IP address;
 * call it on validated input ({@link validateDevice} checks `device.ip`). Parsed by hand (after `isIP` accepted it):
 * this runs on every application.
 */
export function normaliseIp(ip: string, field = 'device.ip'): string {
  const bare = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) throw invalid(field, 'must be an IPv4 or IPv6 address');
  const groups = ipv6Groups(bare);
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) {
    throw invalid(field, 'must be an IPv4 or IPv6 address');
  }
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6]!;
    const lo = groups[7]!;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const network = [...groups.slice(0, IPV6_LINK_PREFIX / 16), 0, 0, 0, 0];
  return `${rfc5952(network)}/${IPV6_LINK_PREFIX}`;
}
