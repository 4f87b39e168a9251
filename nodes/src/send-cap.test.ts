import { describe, expect, it } from 'vitest';
import { providerModules, sendCapOf, sendsMessage } from './index.js';

describe('the send cap fields', () => {
  it('every provider with an action that sends accepts dailyCap and atCap, and no other does', () => {
    for (const m of providerModules) {
      const sends = m.nodeTypes.some(sendsMessage);
      const shape = m.provider.auth.shape as Record<string, unknown>;
      expect({ id: m.provider.id, dailyCap: 'dailyCap' in shape, atCap: 'atCap' in shape, marker: m.provider.sendCap === true }).toEqual({ id: m.provider.id, dailyCap: sends, atCap: sends, marker: sends });
    }
    const messaging = providerModules.filter((m) => m.provider.sendCap).map((m) => m.provider.id);
    expect(messaging).toEqual(expect.arrayContaining(['twilio', 'whatsapp']));
  });

  it('validates the cap: a whole number of at least 1, at the cap wait or fail', () => {
    const twilio = providerModules.find((m) => m.provider.id === 'twilio')!.provider.auth;
    const base = { accountSid: 'AC' + 'a'.repeat(32), authToken: 'token' };
    expect(twilio.safeParse({ ...base, dailyCap: 500, atCap: 'fail' }).success).toBe(true);
    for (const bad of [{ dailyCap: 0 }, { dailyCap: 2.5 }, { dailyCap: '500' }, { atCap: 'drop' }]) expect(twilio.safeParse({ ...base, ...bad }).success).toBe(false);
  });

  it('reads the cap of a config, wait by default', () => {
    expect(sendCapOf({})).toBeNull();
    expect(sendCapOf({ dailyCap: 500 })).toEqual({ cap: 500, atCap: 'wait' });
    expect(sendCapOf({ dailyCap: 3, atCap: 'fail' })).toEqual({ cap: 3, atCap: 'fail' });
  });
});
