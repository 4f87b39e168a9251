// Whenever a send's input is left unstored, rebuilding it from its message gives exactly the input back.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MessageSend } from '@bundles/shared';
import { echoSource, inputFromMessage, inputHeldByMessage, outputToStore, outputWithEchoes, type LoggedMessage } from './step-input.js';

const sends: MessageSend = { channel: 'sms', to: 'to', from: 'from', text: 'body', maxSegments: 'maxSegments', messageId: 'sid', echoes: { to: 'to', from: 'from' } };
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constant('+15550001111'), fc.integer(), fc.constant(null));
const message = fc.record({
  from: fc.option(fc.constantFrom('+15550002222', 'x'), { nil: null }),
  to: fc.option(fc.constantFrom('+15550001111', 'y'), { nil: null }),
  text: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
  provider_message_id: fc.option(fc.constantFrom('SM1', 'SM2'), { nil: null }),
});
const input = fc.dictionary(fc.constantFrom('to', 'from', 'body', 'maxSegments', 'other'), value, { maxKeys: 5 });

describe('step input held by its message', () => {
  it('is only left out when rebuilding it gives it back', () => {
    fc.assert(
      fc.property(input, message, (i, m: LoggedMessage) => {
        const output = { sid: 'SM1' };
        if (inputHeldByMessage(sends, i, output, [m])) expect(inputFromMessage(sends, m)).toEqual(i);
      }),
    );
  });

  it('leaves out an input that is its message, and keeps one with anything more, or with no message id declared', () => {
    const m: LoggedMessage = { from: '+15550002222', to: '+15550001111', text: 'Paid', provider_message_id: 'SM1' };
    const i = { to: '+15550001111', from: '+15550002222', body: 'Paid' };
    expect(inputHeldByMessage(sends, i, { sid: 'SM1' }, [m])).toBe(true);
    expect(inputHeldByMessage(sends, { ...i, maxSegments: 2 }, { sid: 'SM1' }, [m])).toBe(false);
    expect(inputHeldByMessage(sends, i, { sid: 'SM9' }, [m])).toBe(false);
    expect(inputHeldByMessage(sends, i, { sid: 'SM1' }, [m, m])).toBe(false);
    expect(inputHeldByMessage({ ...sends, messageId: undefined }, i, { sid: 'SM1' }, [m])).toBe(false);
  });
});

describe('send output held by its message', () => {
  // Twilio's outputs always hold a recipient and a sender (its output schema requires them).
  const output = fc.record({ to: value, from: value, sid: fc.constantFrom('SM1', 'SM2', 'x'), status: value });
  it('gives the output back whole from what was stored and its message', () => {
    fc.assert(
      fc.property(output, message, (o, m: LoggedMessage) => {
        const stored = outputToStore(sends, o, [m]);
        const id = echoSource(sends, stored);
        // Readers find the message by the id the stored output names.
        const found = id !== null && m.provider_message_id === id ? m : undefined;
        if (id !== null) expect(found).toBeDefined();
        expect(outputWithEchoes(sends, stored, found)).toEqual(o);
      }),
    );
  });

  it('leaves an output alone that names no message, or another one', () => {
    const o = { to: '+15550001111', from: '+15550002222', sid: 'SM9' };
    const m = { to: '+15550001111', from: '+15550002222', text: 'x', provider_message_id: 'SM1' };
    expect(outputToStore(sends, o, [m])).toEqual(o);
    expect(outputToStore(sends, { ...o, sid: 'SM1' }, [m, m])).toEqual({ ...o, sid: 'SM1' });
    expect(outputToStore(sends, { ...o, sid: 'SM1' }, [m])).toEqual({ sid: 'SM1' });
  });
});
