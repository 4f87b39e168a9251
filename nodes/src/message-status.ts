// The order message statuses move in, merged from every provider's `messageStatuses`.
import type { ProviderDefinition } from './define.js';

/**
 * One order over all providers' statuses that keeps each provider's own order: a status first seen in a
 * provider's list goes right after the status before it in that list (or first, when it leads the list).
 * Throws when two providers disagree on the order of two statuses (a definition error, caught by the tests).
 */
export function messageStatusOrder(providers: Pick<ProviderDefinition, 'id' | 'messageStatuses'>[]): string[] {
  const order: string[] = [];
  for (const provider of providers) {
    const list = provider.messageStatuses ?? [];
    list.forEach((status, i) => {
      if (order.includes(status)) return;
      const before = i === 0 ? -1 : order.indexOf(list[i - 1]!);
      order.splice(before + 1, 0, status);
    });
  }
  for (const provider of providers) {
    const ranks = (provider.messageStatuses ?? []).map((s) => order.indexOf(s));
    if (ranks.some((r, i) => i > 0 && r < ranks[i - 1]!)) {
      throw new Error(`the message statuses of ${provider.id} disagree with another provider's order: ${order.join(', ')}`);
    }
  }
  return order;
}
