// "From a source to a target": a trigger and an action wired into a two-node graph, the obvious fields mapped.
//
// How a mapping is chosen, from the node types' schemas rather than per provider:
// - The trigger's output schema is walked (three levels deep) for its scalar fields.
// - The sender's phone: a top-level `from` (message triggers: Twilio, WhatsApp), else the shallowest field
//   named `phone` (sales and orders: Guru `contact.phone`, Monetizze `buyer.phone`, RetailCRM `order.phone`,
//   Guru subscriptions `subscriber.phone`), else `waId`. It goes into the action's `to`, or its `phone`.
// - The message text: a top-level `text`, `body` or `message`. It goes into the action's body-like field
//   (`body`, `text`, `content`, `message`, then a comment). Order and sale triggers have none: only "To" is mapped.
// - A name (`name`, `profileName`, or a nested `firstName`/`name` beside the phone) into `name`/`firstName`,
//   an e-mail into `email`.
// - An action field named exactly like a top-level trigger field takes it (Tokopedia's reply takes the
//   message's `msgId` and `buyerId`), except the ambiguous `to`, `from`, `status` and `id`.
// Only fields the action marks mappable are filled. A trigger that loads the full record behind a switch
// (RetailCRM's `loadOrder`) gets the switch on when a mapped field lies inside that record.
import type { Graph, JsonSchema, NodeManifest } from '../api/types';

export interface Mapping {
  field: string;
  value: string;
  /** Why this field: "sender's phone", "message text", … */
  reason: string;
}

export interface Pairing {
  graph: Graph;
  mappings: Mapping[];
}

type Leaf = { path: string[]; type: string[] };

function typesOf(s: JsonSchema): string[] {
  const t = s.type as string | string[] | undefined;
  const own = Array.isArray(t) ? t : t ? [t] : [];
  const branches = ((s.anyOf ?? s.oneOf) as JsonSchema[] | undefined) ?? [];
  return [...own, ...branches.flatMap(typesOf)];
}

/** Scalar fields of an output schema, breadth first (shallow ones first). */
export function scalarFields(schema: JsonSchema, depth = 3): Leaf[] {
  const out: Leaf[] = [];
  let level: Array<{ path: string[]; s: JsonSchema }> = [{ path: [], s: schema }];
  for (let d = 0; d < depth && level.length; d++) {
    const next: typeof level = [];
    for (const { path, s } of level) {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const [key, child] of Object.entries(props)) {
        const types = typesOf(child);
        if (types.includes('object') || child.properties) next.push({ path: [...path, key], s: child });
        else if (types.some((t) => t === 'string' || t === 'number' || t === 'integer')) out.push({ path: [...path, key], type: types });
      }
    }
    level = next;
  }
  return out;
}

const last = (l: Leaf) => l.path[l.path.length - 1]!;
const top = (leaves: Leaf[], names: string[]) => names.map((n) => leaves.find((l) => l.path.length === 1 && l.path[0] === n)).find(Boolean);
const anyNamed = (leaves: Leaf[], names: string[]) => names.map((n) => leaves.find((l) => last(l) === n)).find(Boolean);

function phoneOf(leaves: Leaf[]): Leaf | undefined {
  return top(leaves, ['from']) ?? anyNamed(leaves, ['phone']) ?? anyNamed(leaves, ['waId']);
}

/** A name beside the phone (contact.name next to contact.phone), else a top-level one. */
function nameOf(leaves: Leaf[], phone: Leaf | undefined, wanted: 'name' | 'firstName'): Leaf | undefined {
  const parent = phone && phone.path.length > 1 ? phone.path.slice(0, -1).join('.') : null;
  const beside = (n: string) => leaves.find((l) => last(l) === n && l.path.slice(0, -1).join('.') === parent);
  const order = wanted === 'firstName' ? ['firstName', 'name'] : ['name', 'firstName'];
  return (parent ? order.map(beside).find(Boolean) : undefined) ?? top(leaves, [...order, 'profileName']);
}

const ref = (l: Leaf) => `{{ trigger.${l.path.join('.')} }}`;
const PHONE_FIELDS = ['to', 'phone'];
const TEXT_FIELDS = ['body', 'text', 'content', 'message', 'customerComment', 'managerComment'];
const NOT_BY_NAME = new Set(['to', 'from', 'status', 'id']);

function mappableFields(action: NodeManifest): string[] {
  const props = (action.configSchema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(props)
    .filter(([, s]) => s['x-mappable'] === true)
    .map(([k]) => k);
}

/** The mappings for an action's config from a trigger's output, by the rules above. */
export function pairMappings(trigger: NodeManifest, action: NodeManifest): Mapping[] {
  const leaves = scalarFields(trigger.outputSchema);
  const phone = phoneOf(leaves);
  const text = top(leaves, ['text', 'body', 'message']);
  const email = anyNamed(leaves, ['email']);
  const fields = mappableFields(action);
  const mappings: Mapping[] = [];
  const add = (field: string, leaf: Leaf | undefined, reason: string) => {
    if (leaf && !mappings.some((m) => m.field === field)) mappings.push({ field, value: ref(leaf), reason });
  };
  for (const f of fields) if (!NOT_BY_NAME.has(f)) add(f, top(leaves, [f]), 'same field');
  const phoneField = PHONE_FIELDS.find((f) => fields.includes(f));
  if (phoneField) add(phoneField, phone, phone && last(phone) === 'from' ? "sender's phone" : "buyer's phone");
  const textField = TEXT_FIELDS.find((f) => fields.includes(f) && !mappings.some((m) => m.field === f));
  if (textField) add(textField, text, 'message text');
  for (const f of ['name', 'firstName'] as const) if (fields.includes(f)) add(f, nameOf(leaves, phone, f), 'name');
  if (fields.includes('email')) add('email', email, 'e-mail');
  return mappings;
}

const actionNodeId = (action: NodeManifest) => (action.id.split('.').pop() ?? 'action').replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]/, 'a');

/** The two-node graph: the trigger on its connection, the action on its own, wired, the obvious fields mapped. */
export function pairNodes(
  trigger: NodeManifest,
  triggerConnectionId: string | null,
  action: NodeManifest,
  actionConnectionId: string | null,
): Pairing {
  const mappings = pairMappings(trigger, action);
  const triggerConfig: Record<string, unknown> = {};
  const triggerProps = (trigger.configSchema.properties ?? {}) as Record<string, JsonSchema>;
  const loadSwitch = Object.entries(triggerProps).find(([k, s]) => /^load[A-Z]/.test(k) && typesOf(s).includes('boolean'));
  if (loadSwitch) {
    const record = loadSwitch[0].slice(4).replace(/^./, (c) => c.toLowerCase());
    if (mappings.some((m) => m.value.startsWith(`{{ trigger.${record}.`))) triggerConfig[loadSwitch[0]] = true;
  }
  const id = actionNodeId(action) === 'trigger' ? 'action' : actionNodeId(action);
  return {
    mappings,
    graph: {
      nodes: [
        { id: 'trigger', type: trigger.id, connectionId: triggerConnectionId, config: triggerConfig, position: { x: 0, y: 0 } },
        { id, type: action.id, connectionId: actionConnectionId, config: Object.fromEntries(mappings.map((m) => [m.field, m.value])), position: { x: 320, y: 0 } },
      ],
      edges: [{ id: `trigger->${id}`, source: 'trigger', target: id }],
    },
  };
}
