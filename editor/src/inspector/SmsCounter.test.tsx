import { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { manifestOf } from '../test-fixtures';
import { ConfigForm } from './ConfigForm';
import { fieldsFromSchema } from './schemaFields';
import { SmsCounter } from './SmsCounter';

describe('SmsCounter', () => {
  it('shows characters, encoding and segments', () => {
    render(<SmsCounter text={'Order 1042 is paid. Thank you!'} />);
    expect(screen.getByTestId('sms-chars').textContent).toBe('30 characters');
    expect(screen.getByTestId('sms-encoding').textContent).toBe('GSM-7');
    expect(screen.getByTestId('sms-segments').textContent).toBe('1 segment');
  });

  it('warns about UCS-2 and names the character that caused it', () => {
    render(<SmsCounter text={'Pedido pago ✅ '.repeat(6)} />);
    expect(screen.getByTestId('sms-encoding').textContent).toBe('UCS-2');
    expect(screen.getByTestId('sms-segments').textContent).toBe('2 segments');
    expect(screen.getByTestId('sms-counter').textContent).toContain('✅');
  });
});

describe('SmsCounter with a segment cap', () => {
  it('shows the cap, and a static text over it as an error naming the characters that force UCS-2', () => {
    render(<SmsCounter text={'Seu pedido está a caminho, ação confirmada: obrigado por comprar conosco hoje!'} maxSegments={1} />);
    expect(screen.getByTestId('sms-segments').textContent).toBe('2 / 1 segments');
    expect(screen.getByTestId('sms-counter').className).toContain('error');
    expect(screen.getByRole('alert').textContent).toBe('Too long: this text needs 2 segments, the cap is 1; “á”, “ç”, “ã” force UCS-2 (70 characters a segment).');
  });

  it('a text within the cap is no error', () => {
    render(<SmsCounter text={'Order 1042 is paid. Thank you!'} maxSegments={1} />);
    expect(screen.getByTestId('sms-segments').textContent).toBe('1 / 1 segments');
    expect(screen.queryByTestId('sms-cap')).toBeNull();
    expect(screen.getByTestId('sms-counter').className).not.toContain('error');
  });

  it('a rendered sample over the cap is a warning: the run fails such a text, it is not refused on save', () => {
    render(<SmsCounter text={'x'.repeat(170)} rendered maxSegments={1} />);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('sms-cap').textContent).toMatch(/This sample needs 2 segments, the cap is 1 \(160 characters a segment\): a text this long fails the step at run time/);
  });
});

describe('the SMS field of twilio.send_sms in the inspector', () => {
  it("shows the node's maxSegments next to the text, and an error once the text cannot fit", async () => {
    const user = userEvent.setup();
    const fields = fieldsFromSchema(manifestOf('twilio.send_sms').configSchema);
    function Harness() {
      const [values, setValues] = useState<Record<string, unknown>>({ from: '+15550002222', to: '+5511998765432', body: 'Pedido pago', maxSegments: 1 });
      return <ConfigForm fields={fields} values={values} onChange={(k, v) => setValues((s) => ({ ...s, [k]: v }))} />;
    }
    render(<Harness />);
    expect(screen.getByTestId('sms-segments').textContent).toBe('1 / 1 segments');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(screen.getByTestId('field-body'), ', ação confirmada, obrigado por comprar conosco; o código de rastreio chega em breve!');
    expect(screen.getByTestId('sms-segments').textContent).toBe('2 / 1 segments');
    expect(screen.getByRole('alert').textContent).toBe('Too long: this text needs 2 segments, the cap is 1; “ç”, “ã”, “ó” force UCS-2 (70 characters a segment).');
  });
});
