/**
 * The pure parts of naming and subnet choice: parsing `ip` output, skipping used ranges, interface-name length.
 */
import { describe, expect, it } from 'vitest';
import { bridgeName, vethName, checkLabName } from '../../../engine/lab/names.js';
import { freeSubnets, parseCidr, rangesInIpOutput } from '../../../engine/lab/subnet.js';
import { relinkHealth } from '../../../engine/lab/up.js';

function first(used: string): { a: number; b: number } {
  const next = freeSubnets(rangesInIpOutput(used)).next();
  if (next.done === true) throw new Error('none free');
  return next.value;
}

describe('subnet choice', () => {
  it('parses CIDRs and bare addresses', () => {
    expect(parseCidr('10.231.0.7/24')).toEqual([parseCidr('10.231.0.0')![0], parseCidr('10.231.0.255')![0]]);
    expect(parseCidr('300.1.1.1')).toBeUndefined();
  });

  it('takes 10.231.0.0/24 on a clean host and skips what addresses and routes use', () => {
    expect(first('default via 192.0.2.1 dev eth0\n192.0.2.0/24 dev eth0 proto kernel')).toEqual({ a: 231, b: 0 });
    expect(first('3: rbl231-0    inet 10.231.0.1/24 brd 10.231.0.255 scope global rbl231-0')).toEqual({ a: 231, b: 1 });
    expect(first('10.231.0.0/23 dev vpn0')).toEqual({ a: 231, b: 2 });
    expect(first('10.231.0.0/16 via 192.0.2.9 dev eth0')).toEqual({ a: 232, b: 0 });
  });

  it('finds nothing when a route covers the whole lab range', () => {
    expect(freeSubnets(rangesInIpOutput('10.0.0.0/8 dev tun0')).next().done).toBe(true);
  });

  it('keeps interface names within 15 bytes for the widest subnet and 200 nodes', () => {
    expect(bridgeName({ a: 250, b: 255 }).length).toBeLessThanOrEqual(15);
    expect(vethName({ a: 250, b: 255 }, 199).length).toBeLessThanOrEqual(15);
  });

  it('rejects lab names that cannot name files, cgroups and namespaces', () => {
    expect(() => checkLabName('dev')).not.toThrow();
    expect(() => checkLabName('../x')).toThrow(/lowercase/);
    expect(() => checkLabName('')).toThrow();
  });

  it('points health URLs of a shaped inventory at the lab node of the same name', () => {
    const nodes = [{ name: 'c001', address: '10.231.0.2' }];
    expect(relinkHealth('http://c001:5000/v2/', nodes)).toBe('http://10.231.0.2:5000/v2/');
    expect(relinkHealth('http://elsewhere:5000/', nodes)).toBe('http://elsewhere:5000/');
  });
});
