import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkDeliveryUrl, guardedLookup, isPrivateAddress, PRIVATE_TARGET_MESSAGE } from './address-guard.js';

const closed = { allowPrivateNetworks: false };

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::1',
    '[::1]',
  ])('%s is private', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe('checkDeliveryUrl (save time)', () => {
  it.each([
    'http://127.0.0.1:6379/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0:8080/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://10.0.0.5/hook',
    'http://localhost:8080/',
    'http://metadata.google.internal/',
    'http://2130706433/',
    'http://0x7f000001/',
  ])('refuses %s', (url) => expect(checkDeliveryUrl(url, closed)).toBe(PRIVATE_TARGET_MESSAGE));

  it('accepts public names and addresses, refuses other schemes and credentials', () => {
    expect(checkDeliveryUrl('https://hooks.example.com/x?token=1', closed)).toBeNull();
    expect(checkDeliveryUrl('https://8.8.8.8/x', closed)).toBeNull();
    expect(checkDeliveryUrl('ftp://example.com/', closed)).toMatch(/http/);
    expect(checkDeliveryUrl('https://u:p@example.com/', closed)).toMatch(/user name or password/);
  });

  it('DELIVERY_ALLOW_PRIVATE_NETWORKS lets private targets through', () => {
    expect(checkDeliveryUrl('http://127.0.0.1:6379/', { allowPrivateNetworks: true })).toBeNull();
  });
});

describe('guardedLookup (connect time, after DNS)', () => {
  it('refuses a name that resolves to a private address, and allows it when private networks are allowed', async () => {
    const srv = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    const get = (allow: boolean) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          { host: 'localhost', port, family: 4, lookup: guardedLookup({ allowPrivateNetworks: allow }) as never },
          (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.statusCode)));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      await expect(get(false)).rejects.toMatchObject({ code: 'EDELIVERYBLOCKED' });
      await expect(get(true)).resolves.toBe('200');
    } finally {
      srv.close();
    }
  });
});
