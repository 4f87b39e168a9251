// A page loaded on first visit: a spinner while its chunk arrives, the page with its props once there; a chunk
// that fails to load shows an error whose Try again imports afresh; the page's own errors go to the app's boundary.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './ErrorBoundary';
import { lazyPage } from './LazyPage';

function RunsPage({ flowId }: { flowId: string }) {
  return <h1>Runs of {flowId}</h1>;
}

/** An import that waits until `arrive` is called, as a chunk on a slow network. */
function slowImport<T>(value: T) {
  let arrive = () => {};
  const promise = new Promise<T>((resolve) => (arrive = () => resolve(value)));
  return { load: () => promise, arrive: () => arrive() };
}

afterEach(() => vi.restoreAllMocks());

describe('lazyPage', () => {
  it('shows a spinner with its label while the chunk loads, then the page with its props', async () => {
    const chunk = slowImport(RunsPage);
    const Page = lazyPage(chunk.load, 'Loading runs…');
    render(<Page flowId="flow-1" />);
    expect(screen.getByRole('status').textContent).toBe('Loading runs…');
    chunk.arrive();
    expect((await screen.findByRole('heading')).textContent).toBe('Runs of flow-1');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows an error when the chunk does not load, and Try again imports it afresh', async () => {
    const user = userEvent.setup();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const load = vi.fn<() => Promise<typeof RunsPage>>().mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module: /assets/RunsPage-x1.js')).mockResolvedValue(RunsPage);
    const Page = lazyPage(load);
    render(<Page flowId="flow-2" />);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Cannot load this page/);
    expect(alert.textContent).toMatch(/could not be loaded \(Failed to fetch dynamically imported module: \/assets\/RunsPage-x1\.js\)\. Check the connection and try again/);
    expect(screen.getByRole('button', { name: 'Reload Bundles' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect((await screen.findByRole('heading')).textContent).toBe('Runs of flow-2');
    expect(load).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId('lazy-page-error')).toBeNull();
  });

  it("leaves an error of the page itself to the app's error boundary", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    function Broken(): never {
      throw new Error('flow.graph is undefined');
    }
    const Page = lazyPage(async () => Broken);
    render(
      <ErrorBoundary>
        <Page />
      </ErrorBoundary>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/This page failed to render.*flow\.graph is undefined/);
    expect(screen.queryByTestId('lazy-page-error')).toBeNull();
  });
});
