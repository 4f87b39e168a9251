// Properties of the SMS counter: segments grow with the text, GSM-7 extension characters count two septets,
// the encoding is UCS-2 exactly when a character outside GSM 03.38 appears, and counting is linear.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSms, isGsm7, smsCapProblem } from './sms.js';

const gsmBasic = Array.from('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const gsmExtended = Array.from('^{}\\[~]|€\f');
const unicode = ['ç', 'ã', 'õ', 'ê', 'ж', '✅', '👍', '中'];
const char = fc.oneof(fc.constantFrom(...gsmBasic), fc.constantFrom(...gsmExtended), fc.constantFrom(...unicode), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const text = fc.array(char, { maxLength: 400 }).map((cs) => cs.join(''));
const gsmText = fc.array(fc.oneof(fc.constantFrom(...gsmBasic), fc.constantFrom(...gsmExtended)), { maxLength: 400 }).map((cs) => cs.join(''));

describe('countSms properties', () => {
  it('segments never fall when the text grows (same encoding or not)', () => {
    fc.assert(fc.property(text, char, (t, c) => countSms(t + c).segments >= countSms(t).segments));
  });

  it('GSM-7 extension characters count two septets, basic ones one', () => {
    fc.assert(
      fc.property(gsmText, (t) => {
        const chars = Array.from(t);
        const expected = chars.reduce((n, ch) => n + (gsmExtended.includes(ch) ? 2 : 1), 0);
        const c = countSms(t);
        expect(c.encoding).toBe('GSM-7');
        expect(c.units).toBe(expected);
        expect(c.characters).toBe(chars.length);
      }),
    );
  });

  it('is UCS-2 exactly when a character outside GSM 03.38 appears, and names only such characters', () => {
    fc.assert(
      fc.property(text, (t) => {
        const c = countSms(t);
        expect(c.encoding === 'GSM-7').toBe(isGsm7(t));
        for (const ch of c.unicodeChars) expect(isGsm7(ch)).toBe(false);
        expect(c.unicodeChars.length).toBeLessThanOrEqual(5);
        expect(new Set(c.unicodeChars).size).toBe(c.unicodeChars.length);
      }),
    );
  });

  it('segments fit the units: within one segment up to 160/70, else ceil over 153/67 or one more for a split character', () => {
    fc.assert(
      fc.property(text, (t) => {
        const c = countSms(t);
        const [single, multi] = c.encoding === 'GSM-7' ? [160, 153] : [70, 67];
        if (c.units === 0) expect(c.segments).toBe(0);
        else if (c.units <= single) expect(c.segments).toBe(1);
        else {
          expect(c.segments).toBeGreaterThanOrEqual(Math.ceil(c.units / multi));
          expect(c.segments).toBeLessThanOrEqual(Math.ceil(c.units / (multi - 1)));
        }
        expect(c.remaining).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('a cap is broken exactly when the text needs more segments than it allows', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 10 }), (t, cap) => {
        const problem = smsCapProblem(t, cap);
        expect(problem === null).toBe(countSms(t).segments <= cap);
        if (problem && !isGsm7(t)) expect(problem).toMatch(/force[s]? UCS-2/);
      }),
    );
  });

  it('counts in linear time: a text 64 times longer takes far less than 64² times as long', () => {
    const time = (t: string) => {
      const start = performance.now();
      for (let i = 0; i < 5; i++) countSms(t);
      return performance.now() - start;
    };
    // Many distinct non-GSM characters: a list search per character would make this quadratic.
    const distinct = Array.from({ length: 20_000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    time(distinct.slice(0, 1000));
    const small = Math.max(time(distinct.slice(0, 312)), 0.05);
    const large = time(distinct);
    expect(large / small).toBeLessThan(64 * 16);
  });
});
