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
  needsConnection: boolean;
}

export interface ProviderManifest {
  id: string;
  title: string;
  authSchema: JsonSchema;
  hasWebhook: boolean;
  setup: string;
}
