// Guru's contact phones (`phone_local_code` + `phone_number`) as E.164, or null: never a throw.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { plainText } from '../webhooks.js';

/** Guru is a Brazilian platform: a number without a usable country code is read as Brazilian. */
const defaultCountry: CountryCode = 'BR';

function valid(text: string, country?: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * E.164 from Guru's two fields. Guru's docs call `phone_local_code` "Indicativo do telefone" and its examples
 * send "55" with the number carrying the area code (`"phone_number": "62981886368"`): the code is the country
 * dial code. Guessed beyond that, in this order: a number already written with `+`; code + number; the number
 * alone as Brazilian (no code, or a code that is really the area code, DDD); code + number as Brazilian (a DDD
 * given apart); the number as an international one written without `+`. Full metadata (`/max`), so that
 * garbage of a plausible length is refused rather than taken for some country's number.
 */
export function guruPhoneE164(localCode: unknown, phoneNumber: unknown): string | null {
  const raw = plainText(phoneNumber)?.trim() ?? '';
  if (raw === '' || raw.length > 40) return null;
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15) return null;
  const codeText = plainText(localCode)?.trim() ?? '';
  const code = codeText.length <= 8 ? codeText.replace(/\D/g, '') : '';
  return (
    (raw.startsWith('+') ? valid(`+${digits}`) : null) ??
    (code ? valid(`+${code}${digits}`) : null) ??
    valid(digits, defaultCountry) ??
    (code.length === 2 ? valid(`${code}${digits}`, defaultCountry) : null) ??
    valid(`+${digits}`)
  );
}
