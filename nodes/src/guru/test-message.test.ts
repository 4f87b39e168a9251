import { describe, expect, it } from 'vitest';
import { GURU_SEND_A_TEST, guruTestResult } from './test-message.js';

const at = (iso: string) => new Date(iso);

describe('guruTestResult', () => {
  it('nothing arrived: cannot tell yet, and says how to make Guru send', () => {
    expect(guruTestResult({ lastAccepted: null, lastRejected: null })).toEqual({ ok: null, message: `Nothing has arrived yet. ${GURU_SEND_A_TEST}` });
    expect(GURU_SEND_A_TEST).toMatch(/test purchase/);
  });

  it('the last delivery was accepted: ok, with when', () => {
    expect(guruTestResult({ lastAccepted: { at: at('2025-05-14T12:31:19Z') }, lastRejected: null })).toEqual({ ok: true, message: 'Last delivery from Guru arrived 2025-05-14 12:31 UTC' });
    expect(guruTestResult({ lastAccepted: { at: at('2025-05-14T12:31:19Z') }, lastRejected: { at: at('2025-05-13T08:00:00Z'), reason: 'the body has no api_token' } }).ok).toBe(true);
  });

  it('only refused deliveries: not ok, with the reason and what to do', () => {
    const result = guruTestResult({ lastAccepted: null, lastRejected: { at: at('2025-05-14T12:31:19Z'), reason: "api_token does not match this connection's account token" } });
    expect(result).toEqual({
      ok: false,
      message: "Guru posted at 2025-05-14 12:31 UTC but it was refused: api_token does not match this connection's account token. Copy the API token again from Guru (Minha Conta → API → Token API) into this connection, then let Guru send again.",
    });
    expect(guruTestResult({ lastAccepted: null, lastRejected: { at: at('2025-05-14T12:31:19Z'), reason: null } }).message).toMatch(/refused: no reason was recorded\. Copy the API token again/);
  });

  it('a refusal after an accepted delivery: not ok (the token changed), naming the last good one', () => {
    const result = guruTestResult({ lastAccepted: { at: at('2025-05-10T10:00:00Z') }, lastRejected: { at: at('2025-05-14T12:31:19Z'), reason: 'the body has no api_token' } });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Guru posted at 2025-05-14 12:31 UTC but it was refused: the body has no api_token \(the last accepted delivery arrived 2025-05-10 10:00 UTC\)\. Copy the API token again/);
  });
});
