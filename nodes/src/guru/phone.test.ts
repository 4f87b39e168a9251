import { describe, expect, it } from 'vitest';
import { guruPhoneE164 } from './phone.js';

describe('guruPhoneE164 (phone_local_code + phone_number)', () => {
  it.each([
    ['55', '11987654321', '+5511987654321'],
    ['55', '(11) 98765-4321', '+5511987654321'],
    ['+55', '62 98188-6368', '+5562981886368'],
    ['351', '912345678', '+351912345678'],
    ['1', '415 555 2671', '+14155552671'],
    ['49', '1511 2345678', '+4915112345678'],
  ])('code %s, number %s → %s', (code, number, e164) => {
    expect(guruPhoneE164(code, number)).toBe(e164);
  });

  it('reads a Brazilian number without a country code as Brazilian', () => {
    expect(guruPhoneE164(undefined, '11987654321')).toBe('+5511987654321');
    expect(guruPhoneE164('', '1133334444')).toBe('+551133334444');
    expect(guruPhoneE164(null, '(21) 99876-5432')).toBe('+5521998765432');
  });

  it('takes a number that already carries its country code, with or without +', () => {
    expect(guruPhoneE164('55', '+5511987654321')).toBe('+5511987654321');
    expect(guruPhoneE164('55', '5511987654321')).toBe('+5511987654321');
    expect(guruPhoneE164(undefined, '+4915112345678')).toBe('+4915112345678');
    expect(guruPhoneE164(undefined, '4915112345678')).toBe('+4915112345678');
  });

  it('reads a code that is really the area code (DDD) as such', () => {
    expect(guruPhoneE164('11', '11999990000')).toBe('+5511999990000');
    expect(guruPhoneE164('11', '987654321')).toBe('+5511987654321');
  });

  it('answers null for garbage, never throws', () => {
    for (const [code, number] of [
      ['55', ''],
      ['55', 'não informado'],
      ['55', '123'],
      ['55', '00000000000'],
      ['55', '9'.repeat(30)],
      ['55', '1'.repeat(10_000)],
      ['abc', 'abc'],
      [{ toString: 1 }, { valueOf: 1 }],
      [55, ['11987654321']],
      ['55', null],
      ['9'.repeat(1000), '11987654321'.repeat(3)],
    ] as Array<[unknown, unknown]>) {
      expect(guruPhoneE164(code, number)).toBeNull();
    }
    expect(guruPhoneE164(55, 11987654321)).toBe('+5511987654321');
  });
});
