// "New bundle": a blank canvas, the gallery of ready bundles, or a bundle from a source to a target.
import { useState } from 'react';
import { useLocation } from 'wouter';
import type { BundleTemplate } from '@bundles/shared';
import { api } from '../../api/client';
import { useCatalog } from '../../api/catalog';
import { useAsync } from '../../api/hooks';
import type { Connection, Flow } from '../../api/types';
import { EmptyState, ErrorState, Modal, ProviderBadge, Spinner } from '../../components/ui';
import { NameDialog } from '../BundlesPage';
import { SourceTargetForm } from './SourceTargetForm';
import { TemplateDialog } from './TemplateDialog';
import './gallery.css';

function TemplateCard({ template, onChoose }: { template: BundleTemplate; onChoose: () => void }) {
  const { providerTitles } = useCatalog();
  return (
    <button type="button" className="gallery-card" onClick={onChoose} data-testid={`template-${template.id}`}>
      <span className="gallery-badges">
        {template.providers.map((p, i) => (
          <span key={p} className="gallery-badge">
            {i > 0 && <span className="arrow" aria-hidden="true">→</span>}
            <ProviderBadge provider={p} title={providerTitles.get(p)} tooltip={providerTitles.get(p) ?? p} size={24} />
          </span>
        ))}
      </span>
      <span className="gallery-card-title">{template.title}</span>
      <span className="gallery-card-text">{template.description}</span>
      <span className="tag">{template.category}</span>
    </button>
  );
}

export function NewBundlePage() {
  const [, navigate] = useLocation();
  const templates = useAsync(() => api.templates.list(), []);
  const connections = useAsync(() => api.connections.list(), []);
  const [chosen, setChosen] = useState<BundleTemplate | null>(null);
  const [blank, setBlank] = useState(false);
  const [pairing, setPairing] = useState(false);
  const added = (c: Connection) => connections.setData((all) => [...(all ?? []), c]);
  const open = (flow: Flow) => navigate(`/bundles/${flow.id}`);
  const list = templates.data;

  return (
    <div className="page" data-testid="new-bundle-page">
      <div className="page-header">
        <div>
          <h1>New bundle</h1>
          <p className="muted">Start from a blank canvas, a ready bundle, or pick a source and a target.</p>
        </div>
        <div className="page-actions">
          <button type="button" className="btn" onClick={() => navigate('/bundles')}>Back to bundles</button>
        </div>
      </div>

      <div className="gallery-grid gallery-start">
        <button type="button" className="gallery-card gallery-card-start" onClick={() => setBlank(true)} data-testid="gallery-blank">
          <span className="gallery-card-title">Blank canvas</span>
          <span className="gallery-card-text">An empty bundle: add a trigger and actions from the palette.</span>
        </button>
        <button type="button" className="gallery-card gallery-card-start" onClick={() => setPairing(true)} data-testid="gallery-source-target">
          <span className="gallery-card-title">From a source to a target</span>
          <span className="gallery-card-text">Pick an event of one service and an action of another: the two are wired and the obvious fields mapped.</span>
        </button>
      </div>

      <h2 className="gallery-heading">Ready bundles</h2>
      {templates.loading && !list && <Spinner label="Loading ready bundles…" />}
      {templates.error !== undefined && !list && <ErrorState title="Could not load the ready bundles" error={templates.error} onRetry={() => void templates.reload()} />}
      {list && list.length === 0 && <EmptyState title="No ready bundles on this server">Start from a blank canvas or from a source to a target.</EmptyState>}
      {list && list.length > 0 && (
        <div className="gallery-grid" data-testid="template-list">
          {list.map((t) => <TemplateCard key={t.id} template={t} onChoose={() => setChosen(t)} />)}
        </div>
      )}

      {chosen && !connections.data && (
        <Modal title={chosen.title} onClose={() => setChosen(null)}>
          {connections.error !== undefined ? <ErrorState title="Could not load your connections" error={connections.error} onRetry={() => void connections.reload()} /> : <Spinner label="Loading connections…" />}
        </Modal>
      )}
      {chosen && connections.data && (
        <TemplateDialog template={chosen} connections={connections.data} onConnectionCreated={added} onClose={() => setChosen(null)} onCreated={open} />
      )}
      {pairing && (
        <Modal title="From a source to a target" onClose={() => setPairing(false)} wide testId="source-target-dialog">
          {connections.data ? (
            <SourceTargetForm connections={connections.data} onConnectionCreated={added} onCancel={() => setPairing(false)} onCreated={open} />
          ) : connections.error !== undefined ? (
            <ErrorState title="Could not load your connections" error={connections.error} onRetry={() => void connections.reload()} />
          ) : (
            <Spinner label="Loading connections…" />
          )}
        </Modal>
      )}
      {blank && (
        <NameDialog
          title="Blank canvas"
          initial="Untitled bundle"
          submitLabel="Create bundle"
          onClose={() => setBlank(false)}
          onSubmit={async (name) => open(await api.flows.create({ name, graph: { nodes: [], edges: [] } }))}
        />
      )}
    </div>
  );
}
