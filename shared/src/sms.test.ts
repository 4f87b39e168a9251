import { describe, expect, it } from 'vitest';
import { countSms, isGsm7 } from './sms.js';

describe('countSms', () => {
  it('counts an empty text as no segment', () => {
    expect(countSms('')).toMatchObject({ encoding: 'GSM-7', characters: 0, segments: 0 });
  });

  it('fits 160 GSM-7 characters in one segment and splits at 153 beyond', () => {
    expect(countSms('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1, remaining: 0 });
    expect(countSms('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(countSms('a'.repeat(306))).toMatchObject({ segments: 2, remaining: 0 });
    expect(countSms('a'.repeat(307))).toMatchObject({ segments: 3 });
  });

  it('counts extended characters (€ [ ] { } ^ ~ | \\) as two septets', () => {
    const c = countSms('Price: 10€ [promo]');
    expect(c.encoding).toBe('GSM-7');
    expect(c.characters).toBe(18);
    expect(c.units).toBe(21);
    expect(countSms('€'.repeat(80))).toMatchObject({ units: 160, segments: 1 });
    expect(countSms('€'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
  });

  it('keeps an extended character whole when it falls on a segment boundary', () => {
    // 152 plain + € (2 septets) does not fit 153: the € starts segment 2.
    const c = countSms('a'.repeat(152) + '€' + 'b'.repeat(10));
    expect(c.units).toBe(164);
    expect(c.segments).toBe(2);
  });

  it('switches to UCS-2 for characters outside GSM 03.38: 70 single, 67 per part', () => {
    expect(isGsm7('Olá, pedido pago')).toBe(false);
    expect(countSms('Olá')).toMatchObject({ encoding: 'UCS-2', segments: 1, perSegment: 70, unicodeChars: ['á'] });
    expect(countSms('ж'.repeat(70))).toMatchObject({ segments: 1 });
    expect(countSms('ж'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67 });
    expect(countSms('ж'.repeat(134))).toMatchObject({ segments: 2 });
    expect(countSms('ж'.repeat(135))).toMatchObject({ segments: 3 });
  });

  it('counts an emoji as two UTF-16 units but one character', () => {
    const c = countSms('Paid 👍');
    expect(c).toMatchObject({ encoding: 'UCS-2', characters: 6, units: 7 });
  });

  it('treats GSM accented letters (é, ü, à) as GSM-7', () => {
    expect(countSms('Café über à')).toMatchObject({ encoding: 'GSM-7', units: 11 });
  });
});
