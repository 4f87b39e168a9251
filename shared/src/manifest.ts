// What the editor learns about node types and providers: plain JSON, no code.
export type JsonSchema = Record<string, unknown>;

export type Widget = 'text' | 'textarea' | 'template' | 'number' | 'switch' | 'select' | 'multiselect' | 'secret';

export interface NodeManifest {
  id: string;
  kind: 'trigger' | 'action';
  provider: string;
  title: string;
  description?: string;
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** Output handles; [] means the single default output. */
  handles: string[];
  /** Whether the node uses a connection (the inspector offers one), and whether it may go without. */
  needsConnection: boolean;
  connectionOptional: boolean;
  /** The provider whose connections it takes (its own, or e.g. `http` for core.http_request). */
  connectionProvider: string;
  /** `write`: it changes something outside Bundles; `read`: it only asks; `none`: it computes. */
  effect: 'none' | 'read' | 'write' | 'depends';
}

export interface ProviderManifest {
  id: string;
  title: string;
  authSchema: JsonSchema;
  hasWebhook: boolean;
  setup: string;
  /** The statuses of its messages in the message log, in the order they move (empty: it logs no messages). */
  messageStatuses: string[];
  /** The shortest connection name it accepts. */
  nameMinLength: number;
  /** Its connections accept a daily send cap (`dailyCap`, `atCap`) and answer GET /api/connections/:id/usage. */
  sendCap: boolean;
  /** Background exports into its connections from other providers' (POST /api/connections/:id/exports). */
  exports: Array<{ kind: string; title: string; sources: string[]; optionsSchema: JsonSchema }>;
}
