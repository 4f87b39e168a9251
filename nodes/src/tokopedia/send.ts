// The one reply call, shared by the reply action and the message log's reply hook.
import { tokopediaCall, type TokopediaCallContext } from './api.js';

/** `POST /v1/chat/fs/{fs_id}/messages/{msg_id}/reply` with the shop id as a number, as Tokopedia expects. */
export async function tokopediaReplyText(ctx: TokopediaCallContext, msgId: string, message: string): Promise<Record<string, unknown>> {
  const { fsId, shopId } = ctx.connection.config;
  const answer = await tokopediaCall(ctx, {
    method: 'POST',
    path: `/v1/chat/fs/${encodeURIComponent(fsId)}/messages/${encodeURIComponent(msgId)}/reply`,
    body: { shop_id: Number(shopId), message },
  });
  return typeof answer.data === 'object' && answer.data !== null ? (answer.data as Record<string, unknown>) : {};
}
