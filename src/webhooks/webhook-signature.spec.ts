import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook, webhookHeaders } from './webhook-signature';

const now = () => Math.floor(Date.now() / 1000);

function message(body = JSON.stringify({ id: 'evt_1', type: 'order.created' })) {
  return { id: 'evt_01jabcdefghjkmnpqrstvwxyz0', timestamp: now(), body };
}

describe('webhook signatures', () => {
  it('generates whsec_ secrets of 32 random bytes in standard base64', () => {
    const secrets = Array.from({ length: 50 }, generateWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('verifies with the reference library for one secret', () => {
    const secret = generateWebhookSecret();
    const msg = message();
    const headers = webhookHeaders(msg, [secret]);
    expect(headers['webhook-id']).toBe(msg.id);
    expect(headers['webhook-timestamp']).toBe(String(msg.timestamp));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(msg.body, headers)).toEqual(JSON.parse(msg.body));
  });

  it('matches the signature the reference library computes', () => {
    const secret = generateWebhookSecret();
    const msg = message();
    expect(signWebhook(msg, [secret])).toBe(
      new Webhook(secret).sign(msg.id, new Date(msg.timestamp * 1000), msg.body),
    );
  });

  it('signs once per secret during a rotation, and either secret alone verifies', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const msg = message();
    const headers = webhookHeaders(msg, [newSecret, oldSecret]);
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,/);
    expect(() => new Webhook(oldSecret).verify(msg.body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(msg.body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(msg.body, headers)).toThrow();
  });

  it('fails verification when the body, timestamp or id changes', () => {
    const secret = generateWebhookSecret();
    const msg = message();
    const headers = webhookHeaders(msg, [secret]);
    const verifier = new Webhook(secret);
    expect(() => verifier.verify(msg.body.replace('order', 'product'), headers)).toThrow();
    expect(() => verifier.verify(msg.body + ' ', headers)).toThrow();
    expect(() =>
      verifier.verify(msg.body, { ...headers, 'webhook-timestamp': String(msg.timestamp - 1) }),
    ).toThrow();
    expect(() =>
      verifier.verify(msg.body, { ...headers, 'webhook-id': 'evt_01jabcdefghjkmnpqrstvwxyz1' }),
    ).toThrow();
  });

  it('signs non-ASCII bodies over their exact UTF-8 bytes', () => {
    const secret = generateWebhookSecret();
    const msg = message(JSON.stringify({ title: 'café ☕', emoji: '🎉', nfd: 'cafe\u0301' }));
    const headers = webhookHeaders(msg, [secret]);
    const verifier = new Webhook(secret);
    expect(verifier.verify(msg.body, headers)).toEqual(JSON.parse(msg.body));
    expect(() => verifier.verify(Buffer.from(msg.body, 'utf8'), headers)).not.toThrow();
    // The same text re-encoded differently (escaped, or normalised) is a different body.
    expect(() => verifier.verify(JSON.stringify({ title: 'caf\\u00e9 ☕' }), headers)).toThrow();
    expect(() => verifier.verify(msg.body.normalize('NFC'), headers)).toThrow();
  });

  it('refuses secrets, ids, timestamps and secret lists it cannot sign correctly', () => {
    const secret = generateWebhookSecret();
    expect(() => signWebhook(message(), [])).toThrow();
    expect(() => signWebhook(message(), [secret.slice(6)])).toThrow(/whsec_/);
    expect(() => signWebhook(message(), ['whsec_'])).toThrow(/whsec_/);
    expect(() => signWebhook(message(), ['whsec_not base64!'])).toThrow(/whsec_/);
    expect(() => signWebhook({ ...message(), id: '' }, [secret])).toThrow();
    expect(() => signWebhook({ ...message(), id: 'evt_1\r\nx: y' }, [secret])).toThrow();
    expect(() => signWebhook({ ...message(), timestamp: Date.now() / 1000 }, [secret])).toThrow();
    expect(() => signWebhook({ ...message(), timestamp: -1 }, [secret])).toThrow();
  });
});
