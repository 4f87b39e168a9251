import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import {
  Background,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection as FlowConnection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
// The canvas's styles come with its chunk; canvas.css after them, to override them.
import '@xyflow/react/dist/style.css';
import '../canvas/canvas.css';
import { api, ApiError, errorMessage, errorToastText } from '../api/client';
import { useCatalog } from '../api/catalog';
import { useAsync } from '../api/hooks';
import type { Flow, Graph, StepStatus, ValidationIssue } from '../api/types';
import { EditorViewContext, type EditorView } from '../canvas/EditorContext';
import { canvasToGraph, createsCycle, graphToCanvas, layoutGraph, type BundleEdge, type BundleNode } from '../canvas/graph';
import { wire } from '../canvas/edits';
import { AddNextPopover } from '../canvas/AddNextPopover';
import { NodeMenu } from '../canvas/NodeMenu';
import type { Anchor } from '../canvas/Popover';
import { ShortcutsOverlay } from '../canvas/ShortcutsOverlay';
import { useCanvasEdits } from '../canvas/useCanvasEdits';
import { useEditorKeys } from '../canvas/useEditorKeys';
import { nodeTypes } from '../canvas/nodeTypes';
import { useFlowHistory } from '../canvas/useFlowHistory';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { ErrorState, Spinner, StatusPill } from '../components/ui';
import type { RunValues } from '../inspector/fieldPaths';
import { connectionProviderOf } from '../inspector/connections';
import { Inspector, type NodePatch } from '../inspector/Inspector';
import { NavLink, useLeaveGuard } from '../lib/navigation';
import { DRAG_MIME, Palette } from '../palette/Palette';
import { RunsPanel } from '../runs/RunsPanel';
import { useRunDetail } from '../runs/useRunDetail';
import { VersionsPanel } from '../versions/VersionsPanel';
import { MiniMapWhenNeeded } from '../canvas/MiniMapWhenNeeded';
import { ProblemsPanel } from '../canvas/ProblemsPanel';
import { useAutosave } from '../canvas/useAutosave';
import { TestPanel, WAIT_FOR_REPLY, type PinnedData } from '../testing/TestPanel';
import type { TestRun } from '../testing/testApi';
import { pinnedValues, testStepStatus } from '../testing/testView';
import { useRole } from '../lib/role';

export function BundleEditorPage({ flowId }: { flowId: string }) {
  const flow = useAsync(() => api.flows.get(flowId), [flowId]);
  if (flow.error !== undefined && !flow.data) {
    const notFound = flow.error instanceof ApiError && flow.error.status === 404;
    return (
      <div className="page">
        <ErrorState title={notFound ? 'Bundle not found' : 'Could not load the bundle'} error={flow.error} onRetry={notFound ? undefined : () => void flow.reload()} />
        <NavLink href="/bundles" className="btn">
          Back to bundles
        </NavLink>
      </div>
    );
  }
  if (!flow.data) return <Spinner label="Loading bundle…" />;
  return (
    <ReactFlowProvider>
      <Editor initialFlow={flow.data} />
    </ReactFlowProvider>
  );
}

const PROVIDER_OPTIONS = { hideAttribution: true };

function saveStateText(state: 'saved' | 'pending' | 'saving' | 'error'): string {
  if (state === 'saving') return 'Saving…';
  if (state === 'pending') return 'Unsaved changes';
  if (state === 'error') return 'Not saved';
  return 'All changes saved';
}

function Editor({ initialFlow }: { initialFlow: Flow }) {
  const { can, whyNot } = useRole();
  const edit = can('editBundles');
  const catalog = useCatalog();
  const { manifests, providerTitles } = catalog;
  const toast = useToast();
  const confirm = useConfirm();
  const rf = useReactFlow<BundleNode, BundleEdge>();

  const [flow, setFlow] = useState(initialFlow);
  const initialCanvas = useMemo(() => graphToCanvas(initialFlow.graph, manifests), [initialFlow, manifests]);
  const history = useFlowHistory(initialCanvas);
  const { nodes, edges } = history;
  const [name, setName] = useState(initialFlow.name);
  const [issues, setIssues] = useState<ValidationIssue[]>(initialFlow.problems ?? []);
  const [busy, setBusy] = useState<null | 'start' | 'stop'>(null);
  // `?run=<id>` (from the Runs page) opens that run.
  const linkedRun = useMemo(() => new URLSearchParams(window.location.search).get('run'), []);
  const [tab, setTab] = useState<'inspect' | 'problems' | 'test' | 'runs' | 'versions'>(linkedRun ? 'runs' : 'inspect');
  const [testRun, setTestRun] = useState<TestRun | null>(null);
  const [pinned, setPinned] = useState<PinnedData | null>(null);
  const [openRunId, setOpenRunId] = useState<string | null>(linkedRun);

  const graph: Graph = useMemo(() => canvasToGraph(nodes, edges), [nodes, edges]);
  // What the draft is: saved a moment after each edit (the undo history stays in the page).
  const draftJson = useMemo(() => JSON.stringify({ name: name.trim() || flow.name, graph }), [name, flow.name, graph]);
  const autosave = useAutosave(
    draftJson,
    useMemo(() => JSON.stringify({ name: initialFlow.name, graph: canvasToGraph(initialCanvas.nodes, initialCanvas.edges) }), [initialFlow, initialCanvas]),
    useCallback(
      async (json: string) => {
        try {
          const updated = await api.flows.update(flow.id, JSON.parse(json) as { name: string; graph: Graph });
          setFlow(updated);
          setIssues(updated.problems ?? []);
        } catch (err) {
          toast(`Could not save the draft: ${errorToastText(err)}`, 'error');
          throw err;
        }
      },
      [flow.id, toast],
    ),
  );
  const dirty = autosave.state !== 'saved';

  const connections = useAsync(() => api.connections.list(), []);
  const runs = useAsync(async () => (await api.runs.list({ flowId: flow.id, limit: 50 })).items, [flow.id], 2000);
  const latestRunId = runs.data?.[0]?.id ?? flow.lastRun?.id ?? null;
  const valuesRunId = openRunId ?? latestRunId;
  // The opened run (or the latest one, for the field picker's values).
  const runDetail = useRunDetail(valuesRunId, runs.data?.[0]?.status);
  const detail = runDetail.data;
  // The list polls on its own clock: reload it when the run shown changes status, so both agree.
  const reloadRuns = runs.reload;
  useEffect(() => {
    if (detail?.status) void reloadRuns();
  }, [detail?.id, detail?.status, reloadRuns]);
  const runValues: RunValues | undefined = useMemo(() => {
    // Pinned data (an event, a test's outputs) is behind the field picker until unpinned.
    if (pinned) return pinnedValues(pinned);
    if (!detail) return undefined;
    const steps: Record<string, unknown> = {};
    for (const s of detail.steps) if (s.output !== undefined && s.output !== null) steps[s.nodeId] = s.output;
    return { trigger: detail.trigger, steps };
  }, [detail, pinned]);
  const openRun = openRunId ? detail : undefined;
  const stepStatus = useMemo(() => {
    if (!openRun && testRun) return testStepStatus(testRun);
    if (!openRun) return null;
    const m = new Map<string, StepStatus>(openRun.steps.map((s) => [s.nodeId, s.status]));
    // The trigger fired for every run, whether or not the server records it as a step.
    const trigger = history.current.current.nodes.find((n) => manifests.get(n.data.type)?.kind === 'trigger');
    if (trigger && !m.has(trigger.id)) m.set(trigger.id, 'succeeded');
    return m;
  }, [openRun, testRun, history, manifests]);

  const issuesByNode = useMemo(() => {
    const m = new Map<string, ValidationIssue[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);


  const triggerNode = nodes.find((n) => manifests.get(n.data.type)?.kind === 'trigger');
  const hasTrigger = triggerNode !== undefined;
  const triggerKey = triggerNode ? `${triggerNode.data.type}:${triggerNode.data.connectionId ?? ''}` : '';
  const selectedNodes = nodes.filter((n) => n.selected);
  const selectedEdges = edges.filter((e) => e.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : undefined;

  // ---- leaving with unsaved changes
  useEffect(() => {
    if (!dirty) return undefined;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);
  // Leaving saves what is pending first; only a save that fails asks.
  const flushDraft = autosave.flush;
  const guard = useCallback(
    async () =>
      (await flushDraft()) ||
      confirm({ title: 'Leave without saving?', message: 'The last changes could not be saved. If you leave now, they are lost.', confirmLabel: 'Leave without saving', cancelLabel: 'Stay', danger: true }),
    [confirm, flushDraft],
  );
  useLeaveGuard(dirty ? guard : null);

  // ---- graph edits
  const edits = useCanvasEdits({
    history,
    manifests,
    connections: connections.data ?? [],
    onRefused: useCallback((message: string) => toast(message, 'error'), [toast]),
    onAdded: useCallback(() => setTab('inspect'), []),
  });
  const { addNode } = edits;
  const [addingAfter, setAddingAfter] = useState<{ nodeId: string; handle: string | null; anchor: Anchor } | null>(null);
  const [menuOf, setMenuOf] = useState<{ nodeId: string; anchor: Anchor } | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const actions = useMemo(
    () => ({
      openAddAfter: (nodeId: string, handle: string | null, anchor: Anchor) => setAddingAfter({ nodeId, handle, anchor }),
      openMenu: (nodeId: string, anchor: Anchor) => setMenuOf({ nodeId, anchor }),
    }),
    [],
  );

  // A role that cannot edit bundles sees the canvas read-only: no "+" and no node menu.
  const view: EditorView = useMemo(() => ({ manifests, providerTitles, issuesByNode, stepStatus, actions: edit ? actions : null }), [manifests, providerTitles, issuesByNode, stepStatus, actions, edit]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    }
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_MIME);
      if (!type) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addNode(type, { x: p.x - 110, y: p.y - 30 });
    },
    [rf, addNode],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<BundleNode>[]) => history.setState((s) => ({ ...s, nodes: applyNodeChanges(changes, s.nodes) })),
    [history],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<BundleEdge>[]) => history.setState((s) => ({ ...s, edges: applyEdgeChanges(changes, s.edges) })),
    [history],
  );
  const onBeforeDelete = useCallback(async () => {
    history.record();
    return true;
  }, [history]);
  const onNodeDragStart = useCallback(() => history.record(), [history]);

  const isValidConnection = useCallback(
    (c: FlowConnection | Edge) => {
      const { nodes: ns, edges: es } = history.current.current;
      if (!c.source || !c.target || c.source === c.target) return false;
      const target = ns.find((n) => n.id === c.target);
      if (!target || manifests.get(target.data.type)?.kind === 'trigger') return false;
      if (es.some((e) => e.source === c.source && e.target === c.target && (e.sourceHandle ?? null) === (c.sourceHandle ?? null))) return false;
      return !createsCycle(c.source, c.target, es);
    },
    [history, manifests],
  );
  const onConnect = useCallback((c: FlowConnection) => history.commit((s) => ({ ...s, edges: [...s.edges, wire(c.source, c.sourceHandle ?? null, c.target)] })), [history]);

  const patchNode = useCallback(
    (nodeId: string, patch: NodePatch, key?: string) => {
      history.commit((s) => ({ ...s, nodes: s.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, ...patch } } : n)) }), key);
      // An edited field's old error no longer applies.
      if (patch.config || patch.connectionId !== undefined) {
        const field = key?.split(':')[1];
        setIssues((all) => all.filter((i) => !(i.nodeId === nodeId && (patch.connectionId !== undefined ? i.field === 'connectionId' : field && (i.field ?? '').split('.')[0] === field))));
      }
    },
    [history],
  );

  const deleteSelection = useCallback(() => edits.remove(), [edits]);

  const autoLayout = useCallback(() => {
    history.commit((s) => ({ ...s, nodes: layoutGraph(s.nodes, s.edges) }));
    // After React Flow has measured the moved nodes.
    setTimeout(() => void rf.fitView({ padding: 0.25, duration: 200, maxZoom: 1.2 }), 50);
  }, [history, rf]);

  // ---- save / start / stop
  const applyServerError = (err: unknown, what: string) => {
    if (err instanceof ApiError && err.status === 422) {
      const list = err.issues.length > 0 ? err.issues : [{ message: err.message }];
      setIssues(list);
      setTab('problems');
      toast(`${what}: ${err.message}${list.length > 1 ? ` (${list.length} problems)` : ''}`, 'error');
    } else {
      toast(`${what}: ${errorMessage(err)}`, 'error');
    }
  };

  const save = async (): Promise<boolean> => {
    const ok = await autosave.flush();
    if (ok) toast('Saved', 'success');
    return ok;
  };

  const start = async () => {
    if (!(await autosave.flush())) return;
    setBusy('start');
    try {
      const updated = await api.flows.start(flow.id);
      setFlow(updated);
      setIssues([]);
      toast(updated.activeVersion ? `Running version ${updated.activeVersion.number}` : 'Started', 'success');
    } catch (err) {
      applyServerError(err, 'Could not start');
    } finally {
      setBusy(null);
    }
  };

  const stop = async () => {
    setBusy('stop');
    try {
      setFlow(await api.flows.stop(flow.id));
      toast('Stopped: new events no longer run this bundle', 'success');
    } catch (err) {
      toast(`Could not stop: ${errorMessage(err)}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  // A role that cannot edit bundles gets the shortcuts that change nothing (help) only.
  const noop = () => {};
  useEditorKeys(
    edit
      ? { save: () => void save(), undo: history.undo, redo: history.redo, duplicate: () => edits.duplicate(), help: () => setShowShortcuts(true) }
      : { save: noop, undo: noop, redo: noop, duplicate: noop, help: () => setShowShortcuts(true) },
  );

  const nodeMenuItems = (nodeId: string) => {
    const node = nodes.find((n) => n.id === nodeId);
    const trigger = node ? edits.isTrigger(node.data.type) : false;
    const oneTrigger = 'A bundle has exactly one trigger';
    return [
      { id: 'duplicate', label: 'Duplicate', shortcut: 'Ctrl+D', ...(trigger ? { unavailable: `${oneTrigger}: it cannot be duplicated.` } : {}), onSelect: () => edits.duplicate([nodeId]) },
      {
        id: 'disable',
        label: node?.data.disabled ? 'Enable' : 'Disable',
        ...(trigger ? { unavailable: `${oneTrigger}: stop the bundle instead of disabling it.` } : {}),
        onSelect: () => edits.toggleDisabled(nodeId),
      },
      { id: 'delete', label: 'Delete', shortcut: 'Del', danger: true, onSelect: () => edits.remove([nodeId]) },
    ];
  };

  const running = flow.status === 'running';
  const draftPending = running && (flow.hasDraftChanges || dirty);
  const selectedManifest = selected ? manifests.get(selected.data.type) : undefined;
  const selectedStep = selected && openRun ? openRun.steps.find((s) => s.nodeId === selected.id) : undefined;

  return (
    <EditorViewContext.Provider value={view}>
      <div className="editor" data-testid="editor">
        <div className="editor-toolbar">
          <NavLink href="/bundles" className="btn btn-ghost btn-sm" aria-label="Back to bundles">
            ←
          </NavLink>
          <input className="name-input" value={name} readOnly={!edit} onChange={(e) => setName(e.target.value)} aria-label="Bundle name" data-testid="bundle-name" />
          <StatusPill status={flow.status} />
          {running && flow.activeVersion && (
            <span className="muted small" data-testid="active-version">
              runs v{flow.activeVersion.number}
            </span>
          )}
          {draftPending && (
            <span className="tag tag-warn" title="Edits are a draft: they go live the next time you start (publish) the bundle.">
              draft not live
            </span>
          )}
          <span className={`save-state${dirty ? ' dirty' : ''}`} data-testid="save-state" aria-live="polite">
            {saveStateText(autosave.state)}
          </span>
          {autosave.state === 'error' && (
            <button type="button" className="link-btn" onClick={() => void autosave.flush()} data-testid="save-retry">
              retry
            </button>
          )}
          {issues.length > 0 && (
            <button type="button" className="tag tag-warn tag-btn" onClick={() => setTab('problems')} data-testid="problems-count" title="What keeps the draft from starting">
              {issues.length} problem{issues.length === 1 ? '' : 's'}
            </button>
          )}
          <div className="toolbar-spacer" />
          <div className="btn-group" role="group" aria-label="History">
            <button type="button" className="btn btn-sm" onClick={history.undo} disabled={!history.canUndo} title="Undo (Ctrl+Z)" aria-label="Undo" data-testid="undo">
              ↶
            </button>
            <button type="button" className="btn btn-sm" onClick={history.redo} disabled={!history.canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo" data-testid="redo">
              ↷
            </button>
          </div>
          <button type="button" className="btn btn-sm" onClick={autoLayout} disabled={nodes.length === 0 || !edit} data-testid="auto-layout">
            Auto-layout
          </button>
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setShowShortcuts(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" data-testid="shortcuts">
            ?
          </button>
          <button type="button" className="btn btn-sm" onClick={() => void save()} disabled={!dirty || busy !== null || !edit} data-testid="save" title={whyNot('editBundles') ?? 'Save (Ctrl+S)'}>
            Save
          </button>
          {running ? (
            <>
              {draftPending && (
                <button type="button" className="btn btn-sm btn-primary" onClick={() => void start()} disabled={busy !== null || !edit} title={whyNot('editBundles') ?? undefined} data-testid="publish">
                  Publish draft
                </button>
              )}
              <button type="button" className="btn btn-sm btn-danger" onClick={() => void stop()} disabled={busy !== null || !edit} title={whyNot('editBundles') ?? undefined} data-testid="stop">
                {busy === 'stop' ? 'Stopping…' : 'Stop'}
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-sm btn-primary" onClick={() => void start()} disabled={busy !== null || !edit} title={whyNot('editBundles') ?? undefined} data-testid="start">
              {busy === 'start' ? 'Starting…' : 'Start'}
            </button>
          )}
        </div>
        {!edit && (
          <div className="banner banner-info" data-testid="read-only-banner">
            You can look at this bundle and its runs, not change it: {whyNot('editBundles')}
          </div>
        )}
        {initialFlow.managedBy && (
          <div className="banner banner-info" data-testid="managed-banner">
            This bundle is a rule of the <NavLink href={`/connections/${initialFlow.managedBy.connectionId}/status-messages`}>Status messages</NavLink> screen: saving the rule there
            rewrites it, so change the rule there rather than here.
          </div>
        )}
        <div className="editor-body">
          {edit && <Palette nodeTypes={catalog.nodeTypes} providerTitles={providerTitles} hasTrigger={hasTrigger} onAdd={(t) => addNode(t)} />}
          <div className="canvas-wrap" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
            <ReactFlow<BundleNode, BundleEdge>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onBeforeDelete={onBeforeDelete}
              onNodeDragStart={onNodeDragStart}
              isValidConnection={isValidConnection}
              deleteKeyCode={edit ? ['Backspace', 'Delete'] : null}
              nodesDraggable={edit}
              nodesConnectable={edit}
              multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
              fitView={initialCanvas.nodes.length > 0}
              fitViewOptions={{ padding: 0.3, maxZoom: 1.2 }}
              proOptions={PROVIDER_OPTIONS}
              defaultEdgeOptions={{ type: 'smoothstep' }}
              onNodeClick={() => setTab('inspect')}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMapWhenNeeded />
            </ReactFlow>
            {addingAfter && (
              <AddNextPopover
                anchor={addingAfter.anchor}
                source={addingAfter}
                nodeTypes={catalog.nodeTypes}
                providerTitles={providerTitles}
                onClose={() => setAddingAfter(null)}
                onPick={(type) => edits.addAfter(addingAfter.nodeId, addingAfter.handle, type)}
              />
            )}
            {menuOf && <NodeMenu anchor={menuOf.anchor} nodeId={menuOf.nodeId} items={nodeMenuItems(menuOf.nodeId)} onClose={() => setMenuOf(null)} />}
            {showShortcuts && <ShortcutsOverlay onClose={() => setShowShortcuts(false)} />}
            {nodes.length === 0 && (
              <div className="canvas-hint" aria-hidden="true">
                <strong>Drag a trigger here to begin</strong>
                <span>Pick one from the palette on the left: it decides which events run this bundle.</span>
              </div>
            )}
            {!openRun && testRun && (
              <div className="canvas-run-banner test" data-testid="canvas-test-banner">
                Showing a <strong>test</strong> <StatusPill status={testRun.status} />
                <button type="button" className="link-btn" onClick={() => setTestRun(null)}>
                  close
                </button>
              </div>
            )}
            {openRun && (
              <div className="canvas-run-banner" data-testid="canvas-run-banner">
                Showing run <StatusPill status={openRun.status} />
                <button type="button" className="link-btn" onClick={() => setOpenRunId(null)}>
                  close
                </button>
              </div>
            )}
          </div>
          <aside className="side-panel" aria-label="Details">
            <div className="tabs" role="tablist">
              <button type="button" role="tab" aria-selected={tab === 'inspect'} className={tab === 'inspect' ? 'active' : ''} onClick={() => setTab('inspect')} data-testid="tab-inspect">
                Inspector
              </button>
              <button type="button" role="tab" aria-selected={tab === 'problems'} className={tab === 'problems' ? 'active' : ''} onClick={() => setTab('problems')} data-testid="tab-problems">
                Problems {issues.length > 0 && <span className="count count-warn">{issues.length}</span>}
              </button>
              <button type="button" role="tab" aria-selected={tab === 'test'} className={tab === 'test' ? 'active' : ''} onClick={() => setTab('test')} data-testid="tab-test">
                Test
              </button>
              <button type="button" role="tab" aria-selected={tab === 'runs'} className={tab === 'runs' ? 'active' : ''} onClick={() => setTab('runs')} data-testid="tab-runs">
                Runs {runs.data && runs.data.length > 0 && <span className="count">{runs.data.length}</span>}
              </button>
              <button type="button" role="tab" aria-selected={tab === 'versions'} className={tab === 'versions' ? 'active' : ''} onClick={() => setTab('versions')} data-testid="tab-versions">
                Versions
              </button>
            </div>
            <div className="side-panel-body" role="tabpanel">
              {tab === 'problems' && (
                <ProblemsPanel
                  problems={issues}
                  nodes={nodes}
                  manifests={manifests}
                  onSelect={(nodeId) => {
                    history.setState((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: n.id === nodeId })), edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) }));
                    setTab('inspect');
                  }}
                />
              )}
              {tab === 'test' && (
                <TestPanel
                  flowId={flow.id}
                  triggerKey={triggerKey}
                  selected={selected ? { id: selected.id, title: selected.data.label || selectedManifest?.title || selected.data.type, isTrigger: selectedManifest?.kind === 'trigger' } : null}
                  manifests={manifests}
                  waits={nodes.filter((n) => n.data.type === WAIT_FOR_REPLY && !n.data.disabled).map((n) => ({ id: n.id, title: n.data.label || manifests.get(n.data.type)?.title || n.id }))}
                  flush={autosave.flush}
                  result={testRun}
                  onResult={(r) => {
                    setTestRun(r);
                    if (r) setOpenRunId(null);
                  }}
                  pinned={pinned}
                  onPin={setPinned}
                />
              )}
              {tab === 'versions' && (
                <VersionsPanel
                  flow={flow}
                  draft={graph}
                  dirty={dirty}
                  manifests={manifests}
                  onStarted={setFlow}
                  onRestored={(restored) => {
                    // The restored draft is saved on the server; as a canvas change it can be undone.
                    const canvas = graphToCanvas(restored.graph, manifests);
                    history.commit(() => canvas);
                    autosave.markSaved(JSON.stringify({ name: restored.name, graph: canvasToGraph(canvas.nodes, canvas.edges) }));
                    setFlow(restored);
                    setIssues(restored.problems ?? []);
                  }}
                />
              )}
              {tab === 'runs' && (
                <RunsPanel
                  runs={runs.data}
                  runsError={runs.error}
                  openRunId={openRunId}
                  openRun={openRun}
                  openRunError={openRunId ? runDetail.error : undefined}
                  manifests={manifests}
                  providerTitles={providerTitles}
                  onOpen={setOpenRunId}
                  liveVersion={flow.status === 'running' ? flow.activeVersion : null}
                  onRetried={(r) => {
                    void runs.reload();
                    setOpenRunId(r.id);
                  }}
                  onRunChanged={(fresh) => {
                    runDetail.refresh(fresh);
                    void runs.reload();
                  }}
                />
              )}
              {tab === 'inspect' && selected && selectedManifest?.kind === 'action' && (
                <div className="inspector-test-row">
                  {pinned && (
                    <span className="tag tag-info" title="The field picker shows this data" data-testid="picker-pinned">
                      picker: {pinned.kind === 'event' ? 'pinned event' : 'test outputs'}
                    </span>
                  )}
                  <button type="button" className="link-btn" onClick={() => setTab('test')} data-testid="inspector-test-step">
                    Test this step…
                  </button>
                </div>
              )}
              {tab === 'inspect' && selected && (
                // Below editor the node's settings are shown, not changed.
                <fieldset className="fieldset-plain" disabled={!edit}>
                <Inspector
                  key={selected.id}
                  node={selected}
                  manifest={selectedManifest}
                  nodes={nodes}
                  edges={edges}
                  manifests={manifests}
                  providerTitles={providerTitles}
                  connectionProvider={selectedManifest ? catalog.providerById.get(connectionProviderOf(selectedManifest)) : undefined}
                  connections={connections.data ?? []}
                  issues={issuesByNode.get(selected.id) ?? []}
                  runValues={runValues}
                  step={selectedStep}
                  onChange={(patch, key) => patchNode(selected.id, patch, key)}
                  onDelete={deleteSelection}
                  onConnectionCreated={(c) => connections.setData((all) => [...(all ?? []), c])}
                />
                </fieldset>
              )}
              {tab === 'inspect' && !selected && (selectedNodes.length > 1 || selectedEdges.length > 0) && (
                <div className="inspector-empty">
                  <p>
                    {selectedNodes.length} node{selectedNodes.length === 1 ? '' : 's'} and {selectedEdges.length} connection{selectedEdges.length === 1 ? '' : 's'} selected.
                  </p>
                  <button type="button" className="btn btn-danger btn-sm" onClick={deleteSelection} disabled={!edit} data-testid="delete-selection">
                    Delete selection
                  </button>
                </div>
              )}
              {tab === 'inspect' && selectedNodes.length === 0 && selectedEdges.length === 0 && (
                <div className="inspector-empty">
                  <h3>Nothing selected</h3>
                  <p className="muted">Select a node to edit its settings. Drag from a node’s right handle to another node’s left handle to connect them.</p>
                  <ul className="shortcut-list">
                    <li><kbd>Del</kbd> delete selection</li>
                    <li><kbd>Ctrl</kbd>+<kbd>Z</kbd> undo, <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo</li>
                    <li><kbd>Ctrl</kbd>+<kbd>S</kbd> save</li>
                    <li><kbd>Shift</kbd>+drag to select several nodes</li>
                    <li><kbd>?</kbd> all shortcuts</li>
                  </ul>
                </div>
              )}
            </div>
          </aside>
        </div>
      </div>
    </EditorViewContext.Provider>
  );
}
