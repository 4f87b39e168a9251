// "Export from RetailCRM": every customer as a contact (with its consent and tags), then every paid order as a
// purchase with externalId = the order id, page by page, resumable from the last saved page. Purchases go
// through the connection's ledger, so a second export (or a repeated page) sends none twice.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ProviderError, ui, type ExportContext, type ExportDefinition } from '../define.js';
import { retailcrmCall, type RetailcrmAuth, type RetailcrmCallContext } from '../retailcrm/api.js';
import { retailcrmCustomerSchema, retailcrmOrderSchema } from '../retailcrm/schemas.js';
import type { SalesmanagoAuth } from './api.js';
import { normalizeSalesmanagoTags, upsertSalesmanagoContact } from './contact.js';
import { addSalesmanagoPurchase } from './purchase.js';
import { completePaymentStatuses, contactFromCustomer, purchaseFromOrder } from './retailcrm-rows.js';

const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}/, 'a date such as 2024-05-01')
  .refine((s) => !Number.isNaN(Date.parse(s.slice(0, 10))), 'not a date');

export const retailcrmExportOptions = z.object({
  customers: z.boolean().default(true).register(ui, { title: 'Customers', widget: 'switch', description: 'Upsert every customer with an e-mail as a contact' }),
  orders: z.boolean().default(true).register(ui, { title: 'Paid orders', widget: 'switch', description: 'Add every paid order as a purchase (never twice)' }),
  from: isoDate.optional().register(ui, { title: 'From', placeholder: '2024-01-01', description: 'Customers created and orders paid from this day' }),
  to: isoDate.optional().register(ui, { title: 'To', placeholder: '2024-12-31', description: 'Up to this day' }),
  tags: z.union([z.array(z.string()), z.string()]).optional().register(ui, { title: 'Tags', placeholder: 'RETAILCRM', description: 'Added to every exported contact, besides its RetailCRM tags' }),
});
export type RetailcrmExportOptions = z.infer<typeof retailcrmExportOptions>;

const PAGE_SIZE = 100;
/** Tries of one row or page before a retryable error counts as a failure. */
const MAX_TRIES = 5;
const MAX_WAIT_MS = 10_000;

const counts = z.object({ contacts: z.number(), purchases: z.number(), duplicates: z.number(), failed: z.number(), skipped: z.number(), done: z.number() });
const checkpointSchema = z.object({
  phase: z.enum(['customers', 'orders', 'done']),
  /** The last page of the phase fully handled (0: none yet). */
  page: z.number().int().min(0),
  counts,
  totals: z.object({ customers: z.number(), orders: z.number() }),
});
type Checkpoint = z.infer<typeof checkpointSchema>;
type Ctx = ExportContext<SalesmanagoAuth, RetailcrmExportOptions>;

interface Job {
  ctx: Ctx;
  state: Checkpoint;
  errors: string[];
  /** Who claims purchases in the ledger: this attempt only, so a claim left by a crash is never taken for ours. */
  owner: string;
  source: RetailcrmCallContext;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** What the provider asks for, grown with the tries (RetailCRM's 100 ms is a first step, not a promise). */
const waitFor = (tries: number, err: ProviderError) => Math.min(MAX_WAIT_MS, Math.max(err.retryAfterMs ?? 0, 250 * 2 ** (tries - 1)));

/** Runs `call`, waiting out retryable errors (an ambiguous one only when repeating it is harmless). */
async function withRetries<T>(call: () => Promise<T>, repeatAmbiguous: boolean): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await call();
    } catch (err) {
      const again = err instanceof ProviderError && err.retryable && (repeatAmbiguous || !err.ambiguous) && tries < MAX_TRIES;
      if (!again) throw err;
      await sleep(waitFor(tries, err));
    }
  }
}

function retailcrmSource(ctx: Ctx): RetailcrmCallContext {
  const config = ctx.source.config as Partial<RetailcrmAuth>;
  if (ctx.source.provider !== 'retailcrm' || typeof config.domain !== 'string' || typeof config.apiKey !== 'string') {
    throw new ProviderError({ message: `Export from RetailCRM needs a RetailCRM connection, not ${ctx.source.provider}`, code: 'wrong_source', retryable: false, provider: 'salesmanago' });
  }
  return { connection: { config: config as RetailcrmAuth }, http: ctx.http, limiter: ctx.limiter };
}

function initialState(ctx: Ctx): Checkpoint {
  const saved = checkpointSchema.safeParse(ctx.checkpoint);
  if (saved.success) return saved.data;
  return {
    phase: ctx.options.customers ? 'customers' : 'orders',
    page: 0,
    counts: { contacts: 0, purchases: 0, duplicates: 0, failed: 0, skipped: 0, done: 0 },
    totals: { customers: 0, orders: 0 },
  };
}

async function save(job: Job): Promise<void> {
  const { counts: c, totals } = job.state;
  const errors = job.errors.splice(0);
  await job.ctx.save({ checkpoint: structuredClone(job.state), done: c.done, total: totals.customers + totals.orders, failed: c.failed, errors });
}

/** One row: a permanent error (or one that stays after a few tries) is counted and written down, and the export goes on. */
async function handleRow(job: Job, label: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    job.state.counts.failed++;
    const unknown = err.ambiguous ? ' (it may have arrived: it is not sent again by itself)' : '';
    job.errors.push(`${label}: ${err.message}${unknown}`.slice(0, 500));
  } finally {
    job.state.counts.done++;
  }
}

const dateFilter = (value: string | undefined) => value?.slice(0, 10);

/** Pages through one list from the page after the checkpoint's; `handle` takes one page's rows. */
async function exportPages(job: Job, phase: 'customers' | 'orders', query: Record<string, string | number | undefined>, handle: (rows: unknown[]) => Promise<void>): Promise<void> {
  const list = phase === 'customers' ? 'customers' : 'orders';
  for (let page = job.state.page + 1; ; page++) {
    const body = await withRetries(() => retailcrmCall(job.source, { method: 'GET', path: `/${list}`, query: { ...query, limit: PAGE_SIZE, page } }), true);
    const pagination = (body.pagination ?? {}) as { totalCount?: number; totalPageCount?: number };
    job.state.totals[phase] = Number(pagination.totalCount) || 0;
    const rows = Array.isArray(body[list]) ? (body[list] as unknown[]) : [];
    await handle(rows);
    job.state.page = page;
    await save(job);
    if (rows.length === 0 || page >= (Number(pagination.totalPageCount) || 0)) return;
  }
}

async function exportCustomers(job: Job, tags: string[]): Promise<void> {
  const { ctx } = job;
  const site = job.source.connection.config.site;
  const query = { 'filter[dateFrom]': dateFilter(ctx.options.from), 'filter[dateTo]': dateFilter(ctx.options.to), 'filter[sites][0]': site };
  await exportPages(job, 'customers', query, async (rows) => {
    for (const row of rows) {
      const customer = retailcrmCustomerSchema.safeParse(row);
      const label = `customer ${customer.success ? customer.data.id : '?'}`;
      await handleRow(job, label, async () => {
        if (!customer.success) throw new ProviderError({ message: 'RetailCRM answered a customer without an id', code: 'bad_row', retryable: false, provider: 'retailcrm' });
        const contact = contactFromCustomer(customer.data, tags);
        if (!contact) {
          job.state.counts.skipped++;
          return;
        }
        await withRetries(() => upsertSalesmanagoContact(ctx, contact), true);
        job.state.counts.contacts++;
      });
    }
  });
}

async function exportOrders(job: Job): Promise<void> {
  const { ctx } = job;
  const statuses = completePaymentStatuses(await withRetries(() => retailcrmCall(job.source, { method: 'GET', path: '/reference/payment-statuses' }), true));
  const query: Record<string, string | undefined> = { 'filter[paidAtFrom]': dateFilter(ctx.options.from), 'filter[paidAtTo]': dateFilter(ctx.options.to), 'filter[sites][0]': job.source.connection.config.site };
  statuses.forEach((code, i) => (query[`filter[paymentStatuses][${i}]`] = code));
  await exportPages(job, 'orders', query, async (rows) => {
    for (const row of rows) {
      const order = retailcrmOrderSchema.safeParse(row);
      await handleRow(job, `order ${order.success ? order.data.id : '?'}`, async () => {
        if (!order.success) throw new ProviderError({ message: 'RetailCRM answered an order without an id', code: 'bad_row', retryable: false, provider: 'retailcrm' });
        const purchase = purchaseFromOrder(order.data);
        if (!purchase) {
          job.state.counts.skipped++;
          return;
        }
        // Never repeated after an unknown outcome: the claim stays, and nobody sends it again blindly.
        const sent = await withRetries(() => addSalesmanagoPurchase(ctx, purchase, job.owner), false);
        if (sent.duplicate) job.state.counts.duplicates++;
        else job.state.counts.purchases++;
      });
    }
  });
}

export function exportReport(c: Checkpoint['counts']): string {
  const skipped = c.skipped ? `, ${c.skipped} without an e-mail skipped` : '';
  return `Export from RetailCRM finished: ${c.contacts} contacts upserted, ${c.purchases} purchases added, ${c.duplicates} duplicates skipped (sent before), ${c.failed} failed${skipped}.`;
}

async function runExport(ctx: Ctx): Promise<{ report: string }> {
  const tags = normalizeSalesmanagoTags(ctx.options.tags, 'tags');
  const job: Job = { ctx, state: initialState(ctx), errors: [], owner: `export:${ctx.connection.id}:${randomUUID()}`, source: retailcrmSource(ctx) };
  if (job.state.phase === 'customers') {
    await exportCustomers(job, tags);
    job.state = { ...job.state, phase: 'orders', page: 0 };
    await save(job);
  }
  if (job.state.phase === 'orders') {
    if (ctx.options.orders) await exportOrders(job);
    job.state = { ...job.state, phase: 'done', page: 0 };
    await save(job);
  }
  return { report: exportReport(job.state.counts) };
}

export const salesmanagoExportRetailcrm: ExportDefinition<SalesmanagoAuth, typeof retailcrmExportOptions> = {
  title: 'Export from RetailCRM',
  sources: ['retailcrm'],
  options: retailcrmExportOptions,
  run: runExport,
};
