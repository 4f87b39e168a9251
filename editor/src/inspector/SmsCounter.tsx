import { countSms } from '../lib/sms';

/** Characters, encoding and segments of an SMS text, as the user types. */
export function SmsCounter({ text, rendered }: { text: string; rendered?: boolean }) {
  const c = countSms(text);
  const warn = c.segments > 1 || c.encoding === 'UCS-2';
  return (
    <div className={`sms-counter${warn ? ' warn' : ''}`} data-testid="sms-counter" aria-live="polite">
      <span data-testid="sms-chars">{c.characters} {c.characters === 1 ? 'character' : 'characters'}</span>
      <span aria-hidden="true">·</span>
      <span data-testid="sms-encoding" title={c.encoding === 'UCS-2' ? `Unicode because of ${c.unicodeChars.join(' ')}` : 'GSM 03.38 alphabet'}>
        {c.encoding}
      </span>
      <span aria-hidden="true">·</span>
      <span data-testid="sms-segments">
        {c.segments} {c.segments === 1 ? 'segment' : 'segments'}
      </span>
      {c.segments > 0 && <span className="muted">({c.remaining} left in this segment)</span>}
      {rendered && <span className="muted">· as rendered</span>}
      {c.encoding === 'UCS-2' && c.unicodeChars.length > 0 && (
        <span className="muted sms-unicode">Unicode because of “{c.unicodeChars.join('')}”: {c.perSegment} per segment.</span>
      )}
    </div>
  );
}
