// Status rules of the Status messages screen: each one owns the bundle it built.
import { index, jsonb, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { StatusRuleInput } from '@bundles/shared';
import { connections } from './connections.js';
import { createdAt, id, updatedAt, workspaceId } from './common.js';
import { flows } from './flows.js';

export const statusRules = pgTable(
  'status_rules',
  {
    id: id(),
    workspaceId: workspaceId(),
    /** The connection whose statuses it follows; its rules go with it. */
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    /** The bundle it built; deleting the bundle on the canvas removes the rule. */
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    /** The rule as the screen saved it (without `active`, which is the bundle's status). */
    rule: jsonb('rule').$type<Omit<StatusRuleInput, 'active'>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('status_rules_connection_idx').on(t.connectionId), uniqueIndex('status_rules_flow_idx').on(t.flowId)],
);
