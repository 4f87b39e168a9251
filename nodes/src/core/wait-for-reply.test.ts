import { afterEach, describe, expect, it, vi } from 'vitest';
import { isControlResult } from '../define.js';
import { getNodeType, getProvider, messagingProviders, nodeManifest } from '../index.js';
import { testActionContext } from '../testing.js';
import { coreWaitForReply, replyOutput, waitForReplyOutput } from './wait-for-reply.js';

describe('core.wait_for_reply', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for the conversation until the timeout, with the wait as its output', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T09:00:00.000Z'));
    const config = coreWaitForReply.config.parse({ conversation: ' +5511998765432 ', timeoutSeconds: '600' });
    const out = await coreWaitForReply.execute(testActionContext({ provider: 'twilio', config, connection: {} }));
    expect(isControlResult(out)).toBe(true);
    expect(out).toMatchObject({
      control: 'reply',
      conversation: '+5511998765432',
      output: { conversation: '+5511998765432', expiresAt: '2026-12-03T09:10:00.000Z', timedOut: false, message: null },
    });
    expect((out as { until: Date }).until.toISOString()).toBe('2026-12-03T09:10:00.000Z');
  });

  it('waits a day unless told, from a minute to 30 days, and needs a conversation', () => {
    expect(coreWaitForReply.config.parse({ conversation: '{{ trigger.from }}' }).timeoutSeconds).toBe(86400);
    expect(coreWaitForReply.config.safeParse({ conversation: '+5511998765432', timeoutSeconds: 59 }).success).toBe(false);
    expect(coreWaitForReply.config.safeParse({ conversation: '+5511998765432', timeoutSeconds: 30 * 86400 + 1 }).success).toBe(false);
    expect(coreWaitForReply.config.safeParse({ conversation: '+5511998765432', timeoutSeconds: 30 * 86400 }).success).toBe(true);
    const empty = coreWaitForReply.config.safeParse({ conversation: '  ' });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.message).toBe('say whose reply to wait for, e.g. {{ trigger.from }}');
  });

  it('goes on on `reply` or `timeout`, computes only, and takes a connection of any provider that receives messages', () => {
    const registered = getNodeType('core.wait_for_reply')!;
    const manifest = nodeManifest(registered);
    expect(manifest).toMatchObject({ handles: ['reply', 'timeout'], effect: 'none', needsConnection: true, connectionOptional: false });
    expect(manifest.connectionProviders).toEqual(['tokopedia', 'twilio', 'whatsapp']);
    expect(messagingProviders).toEqual(['tokopedia', 'twilio', 'whatsapp']);
  });

  it('its outputs on `reply` and on `timeout` match its output schema', () => {
    const waiting = { conversation: '+5511998765432', expiresAt: '2026-12-04T09:00:00.000Z' };
    const reply = replyOutput(waiting, { text: 'YES', from: '+5511998765432', at: '2026-12-03T09:05:00.000Z', provider: 'twilio', channel: 'sms' });
    expect(waitForReplyOutput.parse(reply)).toMatchObject({ timedOut: false, message: { text: 'YES' } });
    expect(waitForReplyOutput.parse(replyOutput(waiting, null))).toEqual({ ...waiting, timedOut: true, message: null });
  });
});

describe('conversation keys of inbound messages', () => {
  it('are what each provider’s parse keys them by', () => {
    const key = (provider: string, address: string) => getProvider(provider)!.conversationKey!(address);
    // Twilio's From: E.164, with the whatsapp: prefix for WhatsApp senders.
    expect(key('twilio', '+55 (11) 99876-5432')).toBe('+5511998765432');
    expect(key('twilio', ' +5511998765432')).toBe('+5511998765432');
    expect(key('twilio', 'whatsapp:+55 11 99876 5432')).toBe('whatsapp:+5511998765432');
    // WhatsApp Cloud: the wa_id, digits only.
    expect(key('whatsapp', '+1 (650) 555-1234')).toBe('16505551234');
    // Tokopedia: the buyer id.
    expect(key('tokopedia', ' 654321 ')).toBe('654321');
  });
});
