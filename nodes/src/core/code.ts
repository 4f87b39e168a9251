// core.code: a JavaScript function body over `input` (the mapped values) that returns a JSON value, run in
// QuickJS compiled to WebAssembly (sandbox.ts): no I/O, bounded in time and memory, console lines kept.
import { isTemplate } from '@bundles/shared';
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { core } from './provider.js';
import { runInSandbox } from './sandbox.js';

export const codeLimits = { maxCodeChars: 20_000, timeoutMs: { min: 100, max: 10_000, default: 1000 }, memoryMb: { min: 8, max: 128, default: 32 } } as const;

export const coreCode = core.action({
  id: 'core.code',
  title: 'Code',
  description: 'Compute a value with JavaScript: a function body over input that returns JSON.',
  config: z.object({
    input: z
      .record(z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'input names are letters, digits, _ and $ (read them as input.name)'), z.any())
      .default({})
      .register(ui, { title: 'Input', mappable: true, description: 'Values for the code, read as input.<name>; map them from earlier steps' }),
    code: z
      .string()
      .max(codeLimits.maxCodeChars)
      // Not trimmed: the line numbers in its errors are the author's.
      .refine((c) => c.trim() !== '', 'write the body of a function that returns a value, e.g. return input.phone.trim()')
      .register(ui, {
        title: 'Code',
        widget: 'code',
        placeholder: 'return { phone: input.phone.replace(/[^0-9+]/g, "") };',
        description: 'The body of a function over input; return a JSON value. No network, files or timers; console.log lines are kept with the step',
      }),
    timeoutMs: z.coerce
      .number()
      .int()
      .min(codeLimits.timeoutMs.min)
      .max(codeLimits.timeoutMs.max)
      .default(codeLimits.timeoutMs.default)
      .register(ui, { title: 'Time limit (ms)' }),
    memoryMb: z.coerce
      .number()
      .int()
      .min(codeLimits.memoryMb.min)
      .max(codeLimits.memoryMb.max)
      .default(codeLimits.memoryMb.default)
      .register(ui, { title: 'Memory limit (MB)' }),
  }),
  // The result is whatever the code returns: any path below it may be mapped.
  output: z.object({ result: z.any(), logs: z.array(z.string()) }),
  needsConnection: false,
  effect: 'none',
  check(config) {
    // Templates would splice event data into the code itself; values come in through input instead.
    return typeof config.code === 'string' && isTemplate(config.code)
      ? [{ field: 'code', message: 'the code cannot hold {{ … }} or {% … %}: map the value into Input and read it as input.<name>' }]
      : [];
  },
  async execute({ config }) {
    const answer = await runInSandbox({ code: config.code, input: config.input, timeoutMs: config.timeoutMs, memoryMb: config.memoryMb });
    if (answer.ok) return { result: answer.result, logs: answer.logs };
    // What the code printed before it failed stays with the step.
    throw new ProviderError({ message: answer.message, code: answer.code, retryable: false, output: { logs: answer.logs } });
  },
});
