import { countSms, smsCapProblem } from '@bundles/shared/sms';

/**
 * Characters, encoding and segments of an SMS text, as the user types. With a cap (`maxSegments`), a static
 * text that needs more segments is an error (the server refuses it on save and start); a rendered sample
 * over the cap is a warning (at run time such a text fails the step, it is never cut).
 */
export function SmsCounter({ text, rendered, maxSegments }: { text: string; rendered?: boolean; maxSegments?: number | undefined }) {
  const c = countSms(text);
  const isStatic = !rendered && !text.includes('{{') && !text.includes('{%');
  const problem = maxSegments === undefined ? null : smsCapProblem(text, maxSegments);
  const overCap = problem !== null && isStatic;
  const warn = c.segments > 1 || c.encoding === 'UCS-2' || problem !== null;
  return (
    <div className={`sms-counter${overCap ? ' error' : warn ? ' warn' : ''}`} data-testid="sms-counter" aria-live="polite">
      <span data-testid="sms-chars">{c.characters} {c.characters === 1 ? 'character' : 'characters'}</span>
      <span aria-hidden="true">·</span>
      <span data-testid="sms-encoding" title={c.encoding === 'UCS-2' ? `Unicode because of ${c.unicodeChars.join(' ')}` : 'GSM 03.38 alphabet'}>
        {c.encoding}
      </span>
      <span aria-hidden="true">·</span>
      <span data-testid="sms-segments">
        {c.segments}
        {maxSegments !== undefined && ` / ${maxSegments}`} {c.segments === 1 && maxSegments === undefined ? 'segment' : 'segments'}
      </span>
      {c.segments > 0 && <span className="muted">({c.remaining} left in this segment)</span>}
      {rendered && <span className="muted">· as rendered</span>}
      {c.encoding === 'UCS-2' && c.unicodeChars.length > 0 && !problem && (
        <span className="muted sms-unicode">Unicode because of “{c.unicodeChars.join('')}”: {c.perSegment} per segment.</span>
      )}
      {problem && (
        <span className={overCap ? 'sms-cap-error' : 'muted sms-cap-warning'} role={overCap ? 'alert' : undefined} data-testid="sms-cap">
          {overCap ? `Too long: this text ${problem}.` : `This sample ${problem}: a text this long fails the step at run time (it is never cut).`}
        </span>
      )}
    </div>
  );
}
