/** SMS length, encoding and segment count, as carriers count them (3GPP TS 23.038). */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

const basic = new Set(Array.from(GSM7_BASIC));
const extended = new Set(Array.from(GSM7_EXTENDED));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsCount {
  encoding: SmsEncoding;
  /** Characters as the user sees them (code points). */
  characters: number;
  /** Septets (GSM-7, extended characters count 2) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units per segment at this length: 160/153 for GSM-7, 70/67 for UCS-2. */
  perSegment: number;
  /** Units left before the next segment starts. */
  remaining: number;
  /** Characters that forced UCS-2, at most a few, for the hint. */
  unicodeChars: string[];
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extended.has(ch)) return false;
  return true;
}

/** Packs character widths into segments of `size` units; a character never straddles two segments. */
function pack(widths: number[], size: number): { segments: number; used: number } {
  let segments = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > size) {
      segments += 1;
      used = 0;
    }
    used += w;
  }
  return { segments, used };
}

export function countSms(text: string): SmsCount {
  const chars = Array.from(text);
  const unicodeChars: string[] = [];
  for (const ch of chars) {
    if (!basic.has(ch) && !extended.has(ch) && !unicodeChars.includes(ch)) unicodeChars.push(ch);
  }
  const encoding: SmsEncoding = unicodeChars.length === 0 ? 'GSM-7' : 'UCS-2';
  const widths = chars.map((ch) => (encoding === 'GSM-7' ? (extended.has(ch) ? 2 : 1) : ch.length));
  const units = widths.reduce((a, b) => a + b, 0);
  const single = encoding === 'GSM-7' ? 160 : 70;
  const multi = encoding === 'GSM-7' ? 153 : 67;
  if (units === 0) {
    return { encoding, characters: 0, units: 0, segments: 0, perSegment: single, remaining: single, unicodeChars };
  }
  if (units <= single) {
    return { encoding, characters: chars.length, units, segments: 1, perSegment: single, remaining: single - units, unicodeChars: unicodeChars.slice(0, 5) };
  }
  const { segments, used } = pack(widths, multi);
  return { encoding, characters: chars.length, units, segments, perSegment: multi, remaining: multi - used, unicodeChars: unicodeChars.slice(0, 5) };
}
