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
