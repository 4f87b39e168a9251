// core.set: builds an object from templates, for later steps to use.
import { z } from 'zod';
import { ui } from '../define.js';
import { core } from './provider.js';

export const coreSet = core.action({
  id: 'core.set',
  title: 'Set fields',
  description: 'Compose values once and use them in later steps.',
  config: z.object({
    fields: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'field names are letters, digits and _'), z.any())
      .register(ui, { title: 'Fields', mappable: true }),
  }),
  output: z.record(z.string(), z.any()),
  needsConnection: false,
  effect: 'none',
  outputIsInput: true,
  async execute({ config }) {
    return config.fields;
  },
});
