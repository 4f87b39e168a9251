// core.filter: stops the run (status `filtered`, not failed) when its conditions fail.
import { control } from '../define.js';
import { core } from './provider.js';
import { conditionsConfig, conditionsOutput, evaluateConditions } from './conditions.js';

export const coreFilter = core.action({
  id: 'core.filter',
  title: 'Filter',
  description: 'Continue only when the conditions hold; otherwise the run ends as filtered.',
  config: conditionsConfig,
  output: conditionsOutput,
  needsConnection: false,
  effect: 'none',
  async execute({ config }) {
    const result = evaluateConditions(config);
    return result.passed ? result : control.filtered(result);
  },
});
