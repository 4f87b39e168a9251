// core.branch: continues on the `true` or the `false` handle.
import { control } from '../define.js';
import { core } from './provider.js';
import { conditionsConfig, conditionsOutput, evaluateConditions } from './conditions.js';

export const coreBranch = core.action({
  id: 'core.branch',
  title: 'Branch',
  description: 'Route to the true or the false path.',
  config: conditionsConfig,
  output: conditionsOutput,
  handles: ['true', 'false'],
  needsConnection: false,
  effect: 'none',
  async execute({ config }) {
    const result = evaluateConditions(config);
    return control.branch(result.passed ? 'true' : 'false', result);
  },
});
