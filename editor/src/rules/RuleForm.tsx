// Add or change one status rule: type, status, sender, message (or template and variables), delay, products.
import { useMemo, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useCatalog } from '../api/catalog';
import type { Connection, OptionItem, StatusRule, StatusRuleInput } from '../api/types';
import { Modal } from '../components/ui';
import { pickerGroups, previewContext } from '../inspector/fieldPaths';
import { TemplateInput, type TemplateSupport } from '../inspector/TemplateInput';
import { FieldError, SenderNumber, StatusPicker, TemplatePicker, VariableFields } from './RuleFields';
import { kindTitle, optionSourceOf, scopeTitle, sendActionFor, senderCan, sendersFor, statusTriggersOf, type RuleKind, type SendAction } from './ruleSpec';

interface Draft {
  kind: RuleKind;
  scope: StatusRuleInput['scope'];
  statuses: string[];
  senderConnectionId: string;
  sender: string;
  to: string;
  useTemplate: boolean;
  message: string;
  template: string;
  language: string;
  variables: string[];
  delayMinutes: string;
  productIds: string;
  maxSegments: string;
}

const draftOf = (rule: StatusRule | undefined, scope: StatusRuleInput['scope'], senders: Connection[]): Draft => ({
  kind: rule?.kind ?? 'sms',
  scope: rule?.scope ?? scope,
  statuses: rule?.statuses ?? [],
  senderConnectionId: rule?.senderConnectionId ?? senders[0]?.id ?? '',
  sender: rule?.sender ?? '',
  to: rule?.to ?? '',
  useTemplate: Boolean(rule?.template),
  message: rule?.message ?? '',
  template: rule?.template ?? '',
  language: rule?.language ?? '',
  variables: Object.entries(rule?.variables ?? {}).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v),
  delayMinutes: rule?.delaySeconds ? String(Math.round(rule.delaySeconds / 60)) : '',
  productIds: (rule?.productIds ?? []).join(', '),
  maxSegments: rule?.maxSegments ? String(rule.maxSegments) : '',
});

function inputOf(d: Draft, active: boolean): StatusRuleInput {
  const opt = (s: string) => (s.trim() ? s.trim() : undefined);
  const products = d.productIds.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    kind: d.kind,
    scope: d.scope,
    statuses: d.statuses,
    senderConnectionId: d.senderConnectionId,
    sender: opt(d.sender),
    to: opt(d.to),
    ...(d.useTemplate
      ? { template: opt(d.template), language: opt(d.language), variables: d.variables.length ? Object.fromEntries(d.variables.map((v, i) => [String(i + 1), v])) : undefined }
      : { message: opt(d.message) }),
    delaySeconds: d.delayMinutes.trim() ? Math.round(Number(d.delayMinutes) * 60) : undefined,
    productIds: products.length ? products : undefined,
    maxSegments: d.kind === 'sms' && d.maxSegments.trim() ? Number(d.maxSegments) : undefined,
    active,
  };
}

export function RuleForm({ connection, connections, rule, onSaved, onClose }: { connection: Connection; connections: Connection[]; rule?: StatusRule; onSaved: (r: StatusRule) => void; onClose: () => void }) {
  const { nodeTypes, manifests, providerTitles } = useCatalog();
  const triggers = useMemo(() => statusTriggersOf(connection.provider, nodeTypes), [connection.provider, nodeTypes]);
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule, triggers[0]?.statusRules.scope ?? 'sales', sendersFor(rule?.kind ?? 'sms', connections, nodeTypes)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const trigger = triggers.find((t) => t.statusRules.scope === draft.scope) ?? triggers[0];
  const senders = sendersFor(draft.kind, connections, nodeTypes);
  const senderConn = senders.find((c) => c.id === draft.senderConnectionId);
  const can = senderConn ? senderCan(senderConn.provider, draft.kind, nodeTypes) : { template: false, text: false };
  const useTemplate = draft.useTemplate ? can.template || !can.text : !can.text && can.template;
  const action = senderConn ? sendActionFor(senderConn.provider, draft.kind, useTemplate, nodeTypes) : undefined;
  const support = useMemo(() => {
    if (!trigger) return undefined;
    const nodes = [{ id: 'trigger', type: trigger.id }, { id: 'send', type: action?.id ?? '' }];
    const edges = [{ source: 'trigger', target: 'send' }];
    return { groups: pickerGroups('send', nodes, edges, manifests), ...previewContext('send', nodes, edges, manifests) };
  }, [trigger, action, manifests]);

  if (!trigger || !support) return null;
  const spec = trigger.statusRules;

  const submit = async () => {
    setBusy(true);
    setFormError(null);
    try {
      const body = inputOf({ ...draft, useTemplate }, rule ? rule.active !== false : true);
      const saved = rule ? await api.connections.statusRules.update(connection.id, rule.id, body) : await api.connections.statusRules.create(connection.id, body);
      onSaved(saved);
    } catch (err) {
      const onFields: Record<string, string> = {};
      if (err instanceof ApiError) for (const i of err.issues) if (i.field && !onFields[i.field]) onFields[i.field] = i.message;
      setErrors(onFields);
      if (Object.keys(onFields).length === 0) setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const footer = (
    <>
      <button type="button" className="btn" onClick={onClose}>
        Cancel
      </button>
      <button type="submit" form="rule-form" className="btn btn-primary" disabled={busy} data-testid="rule-save">
        {busy ? 'Saving…' : rule ? 'Save rule' : 'Add rule'}
      </button>
    </>
  );
  return (
    <Modal title={rule ? 'Edit status message' : 'New status message'} onClose={onClose} footer={footer} wide testId="rule-form-modal">
      <form id="rule-form" className="form" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <div className="field-row">
          <fieldset className="field">
            <legend>Type</legend>
            {(['sms', 'whatsapp'] as const).map((k) => (
              <label key={k} className="radio">
                <input type="radio" name="rule-kind" checked={draft.kind === k} onChange={() => set({ kind: k, senderConnectionId: sendersFor(k, connections, nodeTypes)[0]?.id ?? '' })} /> {kindTitle[k]}
              </label>
            ))}
          </fieldset>
          {triggers.length > 1 && (
            <div className="field">
              <label htmlFor="rule-scope">Of</label>
              <select className="input" id="rule-scope" value={draft.scope} onChange={(e) => set({ scope: e.target.value as Draft['scope'], statuses: [] })}>
                {triggers.map((t) => (
                  <option key={t.id} value={t.statusRules.scope}>
                    {scopeTitle[t.statusRules.scope]}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        <StatusPicker trigger={trigger} connection={connection} value={draft.statuses} onChange={(statuses) => set({ statuses })} error={errors.statuses} />
        <div className="field">
          <label htmlFor="rule-sender-connection">Send with</label>
          {senders.length === 0 ? (
            <p className="field-error">No connection can send {kindTitle[draft.kind]} yet: add a Twilio or WhatsApp connection first.</p>
          ) : (
            <select className="input" id="rule-sender-connection" value={draft.senderConnectionId} onChange={(e) => set({ senderConnectionId: e.target.value })}>
              {senders.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({providerTitles.get(c.provider) ?? c.provider})
                </option>
              ))}
            </select>
          )}
          <FieldError id="rule-sender-connection-error" error={errors.senderConnectionId} />
        </div>
        {senderConn && action?.sends.from && (
          <SenderNumber connectionId={senderConn.id} source={optionSourceOf(action, action.sends.from)} value={draft.sender} onChange={(sender) => set({ sender })} error={errors.sender} />
        )}
        <div className="field">
          <label htmlFor="rule-to">To</label>
          <input className="input" id="rule-to" value={draft.to} onChange={(e) => set({ to: e.target.value })} placeholder={`The buyer's phone (${spec.buyerPhone})`} />
          <FieldError id="rule-to-error" error={errors.to} />
        </div>
        {can.template && can.text && (
          <label className="switch-row">
            <input type="checkbox" checked={useTemplate} onChange={(e) => set({ useTemplate: e.target.checked })} /> Send an approved template (needed outside the 24-hour window)
          </label>
        )}
        <RuleContent draft={draft} set={set} errors={errors} senderId={useTemplate ? senderConn?.id : undefined} action={action} support={support} />
        <div className="field-row">
          <div className="field">
            <label htmlFor="rule-delay">Delay (minutes)</label>
            <input className="input" id="rule-delay" type="number" min={0} value={draft.delayMinutes} onChange={(e) => set({ delayMinutes: e.target.value })} placeholder="0 = at once" />
            <FieldError id="rule-delay-error" error={errors.delaySeconds} />
          </div>
          {draft.kind === 'sms' && action?.sends.maxSegments && (
            <div className="field">
              <label htmlFor="rule-segments">At most (SMS segments)</label>
              <input className="input" id="rule-segments" type="number" min={1} max={10} value={draft.maxSegments} onChange={(e) => set({ maxSegments: e.target.value })} placeholder="1 = 160 characters" />
              <FieldError id="rule-segments-error" error={errors.maxSegments} />
            </div>
          )}
        </div>
        {spec.productsField && (
          <div className="field">
            <label htmlFor="rule-products">Products</label>
            <input className="input" id="rule-products" value={draft.productIds} onChange={(e) => set({ productIds: e.target.value })} placeholder="Product ids, comma-separated; none = any" />
            <FieldError id="rule-products-error" error={errors.productIds} />
          </div>
        )}
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
      </form>
    </Modal>
  );
}

/** What choosing a listed template sets: its language, and one variable per variable it has (values kept). */
function templateChoice(template: string, option: OptionItem | undefined, action: SendAction | undefined, variables: string[]): Partial<Draft> {
  const language = action?.sends.language ? option?.sets?.[action.sends.language] : undefined;
  const count = option?.details?.variables?.length;
  return { template, ...(language ? { language } : {}), ...(count !== undefined ? { variables: Array.from({ length: count }, (_, i) => variables[i] ?? '') } : {}) };
}

/** The message, or the template with its language and variables. */
function RuleContent({ draft, set, errors, senderId, action, support }: { draft: Draft; set: (p: Partial<Draft>) => void; errors: Record<string, string>; senderId?: string; action?: SendAction; support: TemplateSupport }) {
  return senderId ? (
    <>
      <TemplatePicker
        connectionId={senderId}
        source={optionSourceOf(action, action?.sends.template)}
        value={draft.template}
        language={draft.language}
        onChange={(template, option) => set(templateChoice(template, option, action, draft.variables))}
        error={errors.template}
      />
      {action?.sends.language && (
        <div className="field">
          <label htmlFor="rule-language">Language</label>
          <input className="input" id="rule-language" value={draft.language} onChange={(e) => set({ language: e.target.value })} placeholder="pt_BR" />
          <FieldError id="rule-language-error" error={errors.language} />
        </div>
      )}
      <VariableFields value={draft.variables} onChange={(variables) => set({ variables })} support={support} error={errors.variables} />
    </>
  ) : (
    <div className="field">
      <label htmlFor="rule-message">Message</label>
      <TemplateInput
        id="rule-message"
        value={draft.message}
        onChange={(message) => set({ message })}
        multiline
        sms={draft.kind === 'sms'}
        smsMaxSegments={draft.kind === 'sms' && Number(draft.maxSegments) >= 1 ? Number(draft.maxSegments) : undefined}
        support={support}
        invalid={Boolean(errors.message)}
        testId="rule-message"
      />
      <FieldError id="rule-message-error" error={errors.message} />
    </div>
  );
}
