import { describe, expect, it } from 'vitest';
import type { Connection } from '../api/types';
import { manifestOf } from '../test-fixtures';
import { connectionProviderOf, connectionsFor, initialConnectionId, lacksConnection } from './connections';

const conn = (id: string, provider: string): Connection => ({
  id,
  provider,
  name: `${provider} ${id}`,
  config: {},
  secretsSet: [],
  webhookUrl: null,
  status: 'ok',
  lastTest: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});
const all = [conn('h1', 'http'), conn('w1', 'whatsapp'), conn('k1', 'webhook')];

describe('connections of a node', () => {
  it('come from the manifest’s connectionProvider, not from the node type’s prefix', () => {
    const http = manifestOf('core.http_request');
    expect(http.provider).toBe('core');
    expect(connectionProviderOf(http)).toBe('http');
    expect(connectionsFor(http, all).map((c) => c.id)).toEqual(['h1']);
    expect(connectionsFor(manifestOf('core.webhook'), all).map((c) => c.id)).toEqual(['k1']);
    expect(connectionsFor(manifestOf('whatsapp.send_text'), all).map((c) => c.id)).toEqual(['w1']);
    expect(connectionsFor(manifestOf('core.set'), all)).toEqual([]);
  });

  it('a new node takes the only connection it could use, unless it may go without', () => {
    expect(initialConnectionId(manifestOf('whatsapp.send_text'), all)).toBe('w1');
    expect(initialConnectionId(manifestOf('whatsapp.send_text'), [...all, conn('w2', 'whatsapp')])).toBeNull();
    // Credentials are never attached to an HTTP request unasked.
    expect(initialConnectionId(manifestOf('core.http_request'), all)).toBeNull();
    expect(initialConnectionId(manifestOf('core.set'), all)).toBeNull();
  });

  it('the canvas warns of a missing connection only where one is required', () => {
    expect(lacksConnection(manifestOf('whatsapp.send_text'), null)).toBe(true);
    expect(lacksConnection(manifestOf('whatsapp.send_text'), 'w1')).toBe(false);
    expect(lacksConnection(manifestOf('core.http_request'), null)).toBe(false);
    expect(lacksConnection(manifestOf('core.set'), null)).toBe(false);
    expect(lacksConnection(undefined, null)).toBe(false);
  });
});
