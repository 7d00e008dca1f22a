import dns from 'node:dns';
import net from 'node:net';
import {
  ADDRESS_FORBIDDEN_CODE,
  checkWebhookUrl,
  guardedLookup,
  isForbiddenAddress,
  LookupAll,
} from './network-guard';

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

/** A resolver that answers from a table, so no test depends on real DNS. */
function fakeLookup(table: Record<string, string[]>): LookupAll {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address }));
  };
}

const noDns: LookupAll = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1'],
    ['127.255.255.254'],
    ['10.0.0.1'],
    ['10.255.255.255'],
    ['172.16.0.1'],
    ['172.31.255.255'],
    ['192.168.1.1'],
    ['100.64.0.1'],
    ['100.127.255.255'],
    ['169.254.169.254'],
    ['169.254.0.1'],
    ['0.0.0.0'],
    ['0.1.2.3'],
    ['255.255.255.255'],
    ['224.0.0.1'],
    ['240.0.0.1'],
    ['192.0.2.1'],
    ['::'],
    ['::1'],
    ['[::1]'],
    ['fc00::1'],
    ['fd12:3456::1'],
    ['fe80::1'],
    ['fe80::1%eth0'],
    ['ff02::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['::ffff:10.0.0.1'],
    ['::ffff:169.254.169.254'],
    ['::127.0.0.1'],
    ['::7f00:1'],
    ['64:ff9b::7f00:1'],
    ['64:ff9b:1::a00:1'],
    ['2002:7f00:1::'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['2130706433'],
    ['0177.0.0.1'],
    ['0x7f000001'],
    ['0x7f.1'],
    ['not an address'],
    [''],
  ])('forbids %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    [PUBLIC_V4],
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['172.32.0.1'],
    ['100.128.0.1'],
    ['::ffff:93.184.215.14'],
    [PUBLIC_V6],
  ])('allows %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  const guarded = { allowPrivateNetworks: false, lookup: noDns };

  it.each([
    ['http://127.0.0.1/hook'],
    ['http://127.1/'],
    ['https://10.1.2.3/'],
    ['http://172.16.5.4:8080/'],
    ['http://192.168.0.10/'],
    ['http://100.64.1.1/'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://0.0.0.0/'],
    ['http://0/'],
    ['http://[::1]/'],
    ['http://[::]/'],
    ['http://[fc00::1]/'],
    ['http://[fe80::1]/'],
    ['http://[::ffff:127.0.0.1]/'],
    ['http://[::ffff:7f00:1]/'],
    ['http://[::ffff:a9fe:a9fe]/'],
    ['http://2130706433/'],
    ['http://0177.0.0.1/'],
    ['http://0x7f000001/'],
    ['http://0x7f.1/'],
    ['http://127.0.0.1./'],
  ])('refuses the forbidden literal %s', async (raw) => {
    const check = await checkWebhookUrl(raw, guarded);
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/private.*address/) });
  });

  it.each([
    ['ftp://example.com/hook', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['gopher://example.com/', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['http://user:pass@example.com/', /user name or password/],
    ['https://user@example.com/', /user name or password/],
    ['https://:secret@example.com/', /user name or password/],
    ['not a url', /not a valid/],
    ['/relative/path', /not a valid/],
  ])('refuses %s', async (raw, reason) => {
    const check = await checkWebhookUrl(raw, guarded);
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('accepts public literals without resolving them', async () => {
    for (const raw of [`https://${PUBLIC_V4}/hook`, `http://[${PUBLIC_V6}]:8080/`]) {
      const check = await checkWebhookUrl(raw, guarded);
      expect(check.ok).toBe(true);
    }
  });

  it('accepts a hostname resolving only to public addresses, and returns the parsed URL', async () => {
    const check = await checkWebhookUrl('https://hooks.example.com/in?x=1', {
      allowPrivateNetworks: false,
      lookup: fakeLookup({ 'hooks.example.com': [PUBLIC_V4, PUBLIC_V6] }),
    });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.url.href).toBe('https://hooks.example.com/in?x=1');
  });

  it('refuses a hostname resolving to a private address', async () => {
    const check = await checkWebhookUrl('https://internal.example.com/', {
      allowPrivateNetworks: false,
      lookup: fakeLookup({ 'internal.example.com': ['10.0.0.5'] }),
    });
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/private/) });
  });

  it('refuses a hostname when any one of its addresses is forbidden', async () => {
    const check = await checkWebhookUrl('https://mixed.example.com/', {
      allowPrivateNetworks: false,
      lookup: fakeLookup({ 'mixed.example.com': [PUBLIC_V4, '::1'] }),
    });
    expect(check.ok).toBe(false);
  });

  it('refuses unresolvable hosts, even when private networks are allowed', async () => {
    for (const allowPrivateNetworks of [false, true]) {
      const failing = await checkWebhookUrl('https://nowhere.example/', {
        allowPrivateNetworks,
        lookup: fakeLookup({}),
      });
      expect(failing).toEqual({
        ok: false,
        reason: expect.stringMatching(/could not be resolved/),
      });
      const empty = await checkWebhookUrl('https://nowhere.example/', {
        allowPrivateNetworks,
        lookup: async () => [],
      });
      expect(empty.ok).toBe(false);
    }
  });

  it('accepts private and loopback hosts when private networks are allowed', async () => {
    const options = {
      allowPrivateNetworks: true,
      lookup: fakeLookup({ 'receiver.internal': ['10.0.0.5'] }),
    };
    expect((await checkWebhookUrl('http://127.0.0.1:3000/hook', options)).ok).toBe(true);
    expect((await checkWebhookUrl('http://[::1]:3000/hook', options)).ok).toBe(true);
    expect((await checkWebhookUrl('http://receiver.internal/hook', options)).ok).toBe(true);
    // Scheme and credential rules still hold.
    expect((await checkWebhookUrl('ftp://127.0.0.1/', options)).ok).toBe(false);
    expect((await checkWebhookUrl('http://a:b@127.0.0.1/', options)).ok).toBe(false);
  });

  it('resolves with the system resolver by default (localhost, from the hosts file)', async () => {
    const check = await checkWebhookUrl('http://localhost:8080/', { allowPrivateNetworks: false });
    expect(check.ok).toBe(false);
  });
});

describe('guardedLookup', () => {
  /** A resolver in the shape net expects, answering from a table. */
  function fakeResolve(table: Record<string, string[]>): net.LookupFunction {
    return (hostname, options, callback) => {
      const addresses = table[hostname];
      setImmediate(() => {
        if (!addresses) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, '');
        } else if (options.all) {
          callback(
            null,
            addresses.map((address) => ({ address, family: net.isIP(address) })),
          );
        } else {
          callback(null, addresses[0], net.isIP(addresses[0]));
        }
      });
    };
  }

  function lookupWith(
    lookup: net.LookupFunction,
    hostname: string,
    options: dns.LookupOptions,
  ): Promise<{ err: NodeJS.ErrnoException | null; address: unknown }> {
    return new Promise((resolve) =>
      lookup(hostname, options, (err, address) => resolve({ err, address })),
    );
  }

  const table = {
    'public.example': [PUBLIC_V4],
    'rebound.example': ['127.0.0.1'],
    'mixed.example': [PUBLIC_V4, '169.254.169.254'],
  };

  it('passes public addresses through, in both the single and the all form', async () => {
    const lookup = guardedLookup(false, fakeResolve(table));
    expect(await lookupWith(lookup, 'public.example', {})).toEqual({
      err: null,
      address: PUBLIC_V4,
    });
    expect(await lookupWith(lookup, 'public.example', { all: true })).toEqual({
      err: null,
      address: [{ address: PUBLIC_V4, family: 4 }],
    });
  });

  it.each([
    ['rebound.example', {}],
    ['rebound.example', { all: true }],
    ['mixed.example', { all: true }],
  ])('refuses %s (%j) with ERR_WEBHOOK_ADDRESS_FORBIDDEN', async (hostname, options) => {
    const lookup = guardedLookup(false, fakeResolve(table));
    const { err } = await lookupWith(lookup, hostname, options);
    expect(err?.code).toBe(ADDRESS_FORBIDDEN_CODE);
    expect(ADDRESS_FORBIDDEN_CODE).toBe('ERR_WEBHOOK_ADDRESS_FORBIDDEN');
  });

  it('passes resolution errors through unchanged', async () => {
    const lookup = guardedLookup(false, fakeResolve(table));
    const { err } = await lookupWith(lookup, 'missing.example', {});
    expect(err?.code).toBe('ENOTFOUND');
  });

  it('allows everything when private networks are allowed', async () => {
    const lookup = guardedLookup(true, fakeResolve(table));
    expect(await lookupWith(lookup, 'rebound.example', {})).toEqual({
      err: null,
      address: '127.0.0.1',
    });
  });

  it('refuses localhost through the real resolver', async () => {
    const { err } = await lookupWith(guardedLookup(false), 'localhost', { all: true });
    expect(err?.code).toBe(ADDRESS_FORBIDDEN_CODE);
  });
});
