import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
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
