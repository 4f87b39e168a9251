// Errors for people: a known code shows its sentence and what to do, the API's own message stays, and the
// code is there as detail; a code not listed shows the message alone.
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError, errorToastText } from '../api/client';
import { ErrorState } from './ui';

describe('ErrorState', () => {
  it("shows a known code's sentence and hint beside the API's message, with the code as detail", () => {
    render(<ErrorState title="Cannot delete the connection" error={new ApiError(409, 'connection_in_use', 'Stop the running bundles that use this connection first: Venda → SMS.')} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/Cannot delete the connection/);
    expect(alert.textContent).toMatch(/A running bundle uses this connection\./);
    expect(alert.textContent).toMatch(/first: Venda → SMS\./);
    expect(alert.textContent).toMatch(/Stop the bundles named below first, then delete the connection\./);
    expect(alert.querySelector('details')!.textContent).toMatch(/connection_in_use · HTTP 409/);
  });

  it('shows the message alone for a code it does not know', () => {
    render(<ErrorState error={new ApiError(418, 'teapot', 'I am a teapot.')} />);
    expect(screen.getByRole('alert').textContent).toBe('Something went wrongI am a teapot.Detailsteapot · HTTP 418');
    expect(errorToastText(new ApiError(418, 'teapot', 'I am a teapot.'))).toBe('I am a teapot.');
    expect(errorToastText(new ApiError(503, 'unavailable', 'The database does not answer right now.'))).toBe('The database does not answer right now. Wait a few seconds and try again.');
  });
});
