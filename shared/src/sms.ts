// SMS length, encoding and segment count, as carriers count them (3GPP TS 23.038): one implementation for
// the editor's counter, save-time checks and the run-time cap of twilio.send_sms. Linear in the text.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

const basic = new Set(Array.from(GSM7_BASIC));
const extended = new Set(Array.from(GSM7_EXTENDED));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** The most segments a cap may allow (Twilio takes 1600 characters: at most 10 segments of GSM-7 text). */
export const MAX_SMS_SEGMENTS = 10;

/** How many of the characters forcing UCS-2 a count names. */
const NAMED_UNICODE = 5;

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
  /** Characters that forced UCS-2, the first few distinct ones in order of appearance. */
  unicodeChars: string[];
}

const isGsmChar = (ch: string) => basic.has(ch) || extended.has(ch);

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!isGsmChar(ch)) return false;
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
  const unicode = new Set<string>();
  for (const ch of chars) if (!isGsmChar(ch)) unicode.add(ch);
  const encoding: SmsEncoding = unicode.size === 0 ? 'GSM-7' : 'UCS-2';
  const unicodeChars = [...unicode].slice(0, NAMED_UNICODE);
  const widths = chars.map((ch) => (encoding === 'GSM-7' ? (extended.has(ch) ? 2 : 1) : ch.length));
  let units = 0;
  for (const w of widths) units += w;
  const single = encoding === 'GSM-7' ? 160 : 70;
  const multi = encoding === 'GSM-7' ? 153 : 67;
  if (units === 0) return { encoding, characters: 0, units: 0, segments: 0, perSegment: single, remaining: single, unicodeChars };
  if (units <= single) return { encoding, characters: chars.length, units, segments: 1, perSegment: single, remaining: single - units, unicodeChars };
  const { segments, used } = pack(widths, multi);
  return { encoding, characters: chars.length, units, segments, perSegment: multi, remaining: multi - used, unicodeChars };
}

/** “é”, “ç”: the characters named, quoted. */
export const quoteChars = (chars: string[]) => chars.map((c) => `“${c}”`).join(', ');

/**
 * Why a text does not fit in `maxSegments` segments, or null when it does: e.g. "needs 2 segments, the cap
 * is 1; “ç”, “ã” force UCS-2 (70 characters a segment)".
 */
export function smsCapProblem(text: string, maxSegments: number): string | null {
  const c = countSms(text);
  if (c.segments <= maxSegments) return null;
  const base = `needs ${c.segments} segments, the cap is ${maxSegments}`;
  if (c.encoding === 'GSM-7') return `${base} (${maxSegments === 1 ? 160 : 153} characters a segment)`;
  const force = c.unicodeChars.length === 1 ? 'forces' : 'force';
  return `${base}; ${quoteChars(c.unicodeChars)} ${force} UCS-2 (${maxSegments === 1 ? 70 : 67} characters a segment)`;
}
