// AES-256-GCM for connection secrets; the key comes from BUNDLES_SECRET_KEY or a 0600 key file.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Keyring {
  encrypt(plain: Record<string, unknown>): string;
  decrypt(envelope: string): Record<string, unknown>;
  /** A check value of the key (an HMAC of a fixed text), kept in the database to notice a changed key at start. */
  check: string;
}

function keyFromString(value: string): Buffer {
  const trimmed = value.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const b64 = Buffer.from(trimmed, 'base64');
  if (b64.length === 32) return b64;
  // Any other passphrase: derive 32 bytes from it.
  return createHash('sha256').update(trimmed).digest();
}

export function loadKey(opts: { secretKey?: string; dataDir: string }): Buffer {
  if (opts.secretKey) return keyFromString(opts.secretKey);
  const file = path.join(opts.dataDir, 'secret.key');
  if (fs.existsSync(file)) return keyFromString(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function createKeyring(key: Buffer): Keyring {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    check: createHmac('sha256', key).update('bundles secret key check v1').digest('hex').slice(0, 32),
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join('.');
    },
    decrypt(envelope) {
      const [version, iv, tag, data] = envelope.split('.');
      if (version !== 'v1' || !iv || !tag || !data) throw new Error('unknown secret envelope');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
    },
  };
}
