// A bundle's versions beside the canvas: who started each and when, what changed against the draft (or
// another version), restore one as the draft, or run it again (a roll back).
import { useMemo, useState } from 'react';
import { diffGraphs, isEmptyDiff, type GraphDiff } from '@bundles/shared/graph-diff';
import { api, errorToastText } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Flow, FlowVersion, Graph, NodeManifest } from '../api/types';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Spinner, formatTime } from '../components/ui';

const short = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

export function DiffView({ diff, manifests, title }: { diff: GraphDiff; manifests: Map<string, NodeManifest>; title: string }) {
  const nodeTitle = (type: string, id: string) => `${manifests.get(type)?.title ?? type} (${id})`;
  if (isEmptyDiff(diff)) return <p className="muted" data-testid="version-diff-empty">No changes: {title}.</p>;
  return (
    <div className="version-diff" data-testid="version-diff">
      <p className="muted small">{title}</p>
      <ul>
        {diff.added.map((n) => (
          <li key={`a-${n.id}`} className="diff-added">+ {nodeTitle(n.type, n.id)}</li>
        ))}
        {diff.removed.map((n) => (
          <li key={`r-${n.id}`} className="diff-removed">− {nodeTitle(n.type, n.id)}</li>
        ))}
        {diff.changed.map((c) => (
          <li key={`c-${c.nodeId}`} className="diff-changed">
            ~ {nodeTitle(c.type, c.nodeId)}
            <ul>
              {c.fields.map((f) => (
                <li key={f.field}>
                  <code>{f.field.replace(/^config\./, '')}</code>: <span className="diff-before">{short(f.before)}</span> → <span className="diff-after">{short(f.after)}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
        {diff.edgesAdded.length + diff.edgesRemoved.length > 0 && (
          <li className="diff-changed">
            wiring: {diff.edgesAdded.map((e) => `+ ${e.source} → ${e.target}`).concat(diff.edgesRemoved.map((e) => `− ${e.source} → ${e.target}`)).join(', ')}
          </li>
        )}
      </ul>
    </div>
  );
}

export function VersionsPanel({ flow, draft, dirty, manifests, onRestored, onStarted }: { flow: Flow; draft: Graph; dirty: boolean; manifests: Map<string, NodeManifest>; onRestored: (f: Flow) => void; onStarted: (f: Flow) => void }) {
  const versions = useAsync(() => api.flows.versions(flow.id), [flow.id, flow.activeVersion?.id, flow.status]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [against, setAgainst] = useState<'draft' | number>('draft');
  const list = versions.data ?? [];
  const selected = chosen ?? list[0]?.version ?? null;
  const detail = useAsync(() => (selected ? api.flows.version(flow.id, selected) : Promise.resolve(null)), [flow.id, selected]);
  const other = useAsync(() => (typeof against === 'number' ? api.flows.version(flow.id, against) : Promise.resolve(null)), [flow.id, against]);
  const confirm = useConfirm();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  const diff = useMemo(() => {
    if (!detail.data) return null;
    if (against === 'draft') return { diff: diffGraphs(detail.data.graph, draft), title: `from version ${detail.data.version} to the draft` };
    if (!other.data) return null;
    return { diff: diffGraphs(other.data.graph, detail.data.graph), title: `from version ${other.data.version} to version ${detail.data.version}` };
  }, [detail.data, other.data, against, draft]);

  if (versions.error !== undefined && !versions.data) return <ErrorState title="Cannot load the versions" error={versions.error} onRetry={() => void versions.reload()} />;
  if (!versions.data) return <Spinner label="Loading versions…" />;
  if (list.length === 0) return <EmptyState title="No versions yet">Each Start publishes the draft as a version; they are listed here to compare, restore or run again.</EmptyState>;

  const act = async (what: 'restore' | 'start', v: FlowVersion) => {
    const ok = await confirm(
      what === 'restore'
        ? { title: `Restore version ${v.version} as the draft?`, message: `The draft becomes version ${v.version}${dirty ? ' (your changes not saved yet included)' : ''}; undo brings back what you had. What runs now keeps running until you start again.`, confirmLabel: 'Restore' }
        : { title: `Run version ${v.version} again?`, message: `From now on every event runs version ${v.version} (a roll back). The draft stays as it is.`, confirmLabel: `Start version ${v.version}` },
    );
    if (!ok) return;
    setBusy(true);
    try {
      if (what === 'restore') {
        onRestored(await api.flows.restoreVersion(flow.id, v.version));
        toast(`Version ${v.version} is the draft now`, 'success');
      } else {
        onStarted(await api.flows.start(flow.id, v.version));
        toast(`Running version ${v.version}`, 'success');
      }
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="versions-panel" data-testid="versions-panel">
      <ul className="version-list">
        {list.map((v) => (
          <li key={v.version}>
            <button type="button" className={`version-item${v.version === selected ? ' active' : ''}`} onClick={() => setChosen(v.version)} data-testid={`version-${v.version}`}>
              <strong>v{v.version}</strong> {v.live && <span className="tag tag-ok">live</span>}
              <span className="muted small">
                {formatTime(v.createdAt)}
                {v.createdBy ? ` · ${v.createdBy.email}` : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {detail.data && (
        <>
          <div className="btn-row">
            <label className="small" htmlFor="version-against">
              Compare with
            </label>
            <select id="version-against" className="input input-sm" value={String(against)} onChange={(e) => setAgainst(e.target.value === 'draft' ? 'draft' : Number(e.target.value))}>
              <option value="draft">the draft</option>
              {list.filter((v) => v.version !== selected).map((v) => (
                <option key={v.version} value={v.version}>
                  version {v.version}
                </option>
              ))}
            </select>
          </div>
          {diff && <DiffView diff={diff.diff} manifests={manifests} title={diff.title} />}
          <div className="btn-row">
            <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void act('restore', detail.data!)} data-testid="version-restore">
              Restore as draft
            </button>
            {!detail.data.live && (
              <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void act('start', detail.data!)} data-testid="version-start">
                Start this version
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
