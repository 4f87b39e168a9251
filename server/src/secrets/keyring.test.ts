import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyring, loadKey } from './keyring.js';

// A Twilio connection's config as the API stores it.
const twilioConfig = { accountSid: 'AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e', authToken: 'f00dcafef00dcafef00dcafef00dcafe', baseUrl: 'https://api.twilio.com' };

const hexKey = '8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** Replaces the byte at `index` of the base64 part `part` of an envelope with its bitwise complement. */
function tamper(envelope: string, part: 1 | 2 | 3, index = 0): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64');
  bytes[index] = bytes[index]! ^ 0xff;
  parts[part] = bytes.toString('base64');
  return parts.join('.');
}

describe('createKeyring', () => {
  const keyring = createKeyring(Buffer.from(hexKey, 'hex'));

  it('decrypts what it encrypted', () => {
    expect(keyring.decrypt(keyring.encrypt(twilioConfig))).toEqual(twilioConfig);
    const nested = { apiKey: 'rcrm_k_8a7b6c', site: 'myshop', labels: ['ü', '🙂'], limits: { perSecond: 10 }, optional: null };
    expect(keyring.decrypt(keyring.encrypt(nested))).toEqual(nested);
    expect(keyring.decrypt(keyring.encrypt({}))).toEqual({});
  });

  it('writes a v1 envelope that differs each time and hides the plaintext', () => {
    const a = keyring.encrypt(twilioConfig);
    const b = keyring.encrypt(twilioConfig);
    expect(a).not.toBe(b);
    for (const envelope of [a, b]) {
      const parts = envelope.split('.');
      expect(parts).toHaveLength(4);
      expect(parts[0]).toBe('v1');
      expect(Buffer.from(parts[1]!, 'base64')).toHaveLength(12);
      expect(Buffer.from(parts[2]!, 'base64')).toHaveLength(16);
      expect(envelope).not.toContain(twilioConfig.authToken);
      expect(envelope).not.toContain(twilioConfig.accountSid);
      expect(envelope).not.toContain(Buffer.from(JSON.stringify(twilioConfig)).toString('base64').slice(0, 16));
    }
    // Fresh IVs: the same plaintext never gives the same ciphertext bytes.
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a.split('.')[3]).not.toBe(b.split('.')[3]);
  });

  it('detects tampering with the data, the tag or the IV', () => {
    const envelope = keyring.encrypt(twilioConfig);
    expect(() => keyring.decrypt(tamper(envelope, 3))).toThrow();
    expect(() => keyring.decrypt(tamper(envelope, 3, 20))).toThrow();
    expect(() => keyring.decrypt(tamper(envelope, 2))).toThrow();
    expect(() => keyring.decrypt(tamper(envelope, 1))).toThrow();
    const [v, iv, tag, data] = envelope.split('.');
    expect(() => keyring.decrypt([v, iv, tag, Buffer.from(data!, 'base64').subarray(1).toString('base64')].join('.'))).toThrow();
    expect(keyring.decrypt(envelope)).toEqual(twilioConfig);
  });

  it('refuses to decrypt with another key', () => {
    const envelope = keyring.encrypt(twilioConfig);
    const other = createKeyring(randomBytes(32));
    expect(() => other.decrypt(envelope)).toThrow();
  });

  it('refuses envelopes it does not know', () => {
    const envelope = keyring.encrypt(twilioConfig);
    expect(() => keyring.decrypt(envelope.replace(/^v1\./, 'v2.'))).toThrow('unknown secret envelope');
    expect(() => keyring.decrypt('v1.abc')).toThrow('unknown secret envelope');
    expect(() => keyring.decrypt(JSON.stringify(twilioConfig))).toThrow('unknown secret envelope');
  });

  it('needs a 32-byte key', () => {
    expect(() => createKeyring(randomBytes(16))).toThrow('the secret key must be 32 bytes');
    expect(() => createKeyring(Buffer.alloc(0))).toThrow('the secret key must be 32 bytes');
  });
});

describe('loadKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-keyring-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates secret.key with mode 0600 on first start and reuses it', () => {
    const dataDir = path.join(tempDir(), 'data', 'nested');
    const file = path.join(dataDir, 'secret.key');
    const first = loadKey({ dataDir });
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${first.toString('hex')}\n`);

    const second = loadKey({ dataDir });
    expect(second.equals(first)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${first.toString('hex')}\n`);

    // What one start encrypted, the next start decrypts.
    const envelope = createKeyring(first).encrypt(twilioConfig);
    expect(createKeyring(second).decrypt(envelope)).toEqual(twilioConfig);
  });

  it('gives each new data folder its own key', () => {
    expect(loadKey({ dataDir: tempDir() }).equals(loadKey({ dataDir: tempDir() }))).toBe(false);
  });

  it('reads a key file an operator wrote', () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'secret.key'), `  ${hexKey.toUpperCase()}\n`, { mode: 0o600 });
    expect(loadKey({ dataDir }).toString('hex')).toBe(hexKey);
  });

  describe('BUNDLES_SECRET_KEY', () => {
    it('takes 64 hex characters as the key, and writes no key file', () => {
      const dataDir = tempDir();
      const key = loadKey({ secretKey: hexKey, dataDir });
      expect(key.toString('hex')).toBe(hexKey);
      expect(loadKey({ secretKey: `${hexKey.toUpperCase()}\n`, dataDir }).toString('hex')).toBe(hexKey);
      expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false);
    });

    it('takes base64 of 32 bytes as the key', () => {
      const bytes = Buffer.from(hexKey, 'hex');
      const b64 = bytes.toString('base64');
      expect(b64).toHaveLength(44);
      expect(loadKey({ secretKey: b64, dataDir: tempDir() }).equals(bytes)).toBe(true);
    });

    it('derives the key from any other passphrase with SHA-256', () => {
      const passphrase = 'correct horse battery staple';
      const key = loadKey({ secretKey: passphrase, dataDir: tempDir() });
      expect(key).toHaveLength(32);
      expect(key.toString('hex')).toBe(createHash('sha256').update(passphrase).digest('hex'));
      expect(loadKey({ secretKey: ` ${passphrase} `, dataDir: tempDir() }).equals(key)).toBe(true);
      expect(loadKey({ secretKey: 'correct horse battery stapler', dataDir: tempDir() }).equals(key)).toBe(false);
      const envelope = createKeyring(key).encrypt(twilioConfig);
      expect(createKeyring(loadKey({ secretKey: passphrase, dataDir: tempDir() })).decrypt(envelope)).toEqual(twilioConfig);
    });

    it('does not take a short hex string as raw bytes', () => {
      const short = hexKey.slice(0, 32);
      const key = loadKey({ secretKey: short, dataDir: tempDir() });
      expect(key).toHaveLength(32);
      expect(key.toString('hex')).toBe(createHash('sha256').update(short).digest('hex'));
    });
  });
});
