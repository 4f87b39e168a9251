// core.delay: pauses the run without holding a worker (the continuation is scheduled).
import { z } from 'zod';
import { control, ui } from '../define.js';
import { core } from './provider.js';

const maxDelaySeconds = 90 * 24 * 3600;

export const coreDelay = core.action({
  id: 'core.delay',
  title: 'Delay',
  description: 'Wait a number of seconds, or until a time.',
  config: z
    .object({
      seconds: z.coerce.number().min(0).max(maxDelaySeconds).optional().register(ui, { title: 'Seconds', mappable: true }),
      until: z.string().optional().register(ui, { title: 'Until (ISO time)', mappable: true, placeholder: '2026-12-01T09:00:00Z' }),
    })
    .refine((c) => (c.seconds === undefined) !== (c.until === undefined || c.until === ''), {
      message: 'give either seconds or until',
      path: ['seconds'],
    })
    .refine((c) => !c.until || !Number.isNaN(Date.parse(c.until)), { message: 'until is not a valid time', path: ['until'] }),
  output: z.object({ resumeAt: z.string() }),
  needsConnection: false,
  effect: 'none',
  async execute({ config }) {
    const until = config.until ? new Date(config.until) : new Date(Date.now() + (config.seconds ?? 0) * 1000);
    return control.wait(until, { resumeAt: until.toISOString() });
  },
});
