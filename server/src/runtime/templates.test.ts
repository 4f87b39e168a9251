import { describe, expect, it } from 'vitest';
import { renderConfig, renderTemplate, TemplateError, templateSyntaxError } from './templates.js';

// A run context as the executor builds it: the loaded RetailCRM order and one finished step.
const context = {
  trigger: {
    id: 1042,
    status: 'paid',
    event: 'status',
    name: 'ana souza',
    order: {
      id: 1042,
      number: '1042A',
      phone: '+5511998765432',
      totalSumm: 59.9,
      items: [
        { offer: { name: 'T-shirt M' }, quantity: 2 },
        { offer: { name: 'Cap' }, quantity: 1 },
      ],
    },
    tags: ['vip', 'wholesale'],
    zero: 0,
    none: null,
  },
  steps: { sms: { sid: 'SM3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f', status: 'queued', segments: 1 } },
};

async function templateError(promise: Promise<unknown>): Promise<TemplateError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TemplateError);
  return err as TemplateError;
}

describe('renderTemplate', () => {
  it('leaves plain text alone', async () => {
    expect(await renderTemplate('Thank you for your order', context, 'body')).toBe('Thank you for your order');
  });

  it('keeps the type of a lone {{ … }}', async () => {
    expect(await renderTemplate('{{ trigger.id }}', context, 'orderId')).toBe(1042);
    expect(await renderTemplate('{{ trigger.order.totalSumm }}', context, 'total')).toBe(59.9);
    expect(await renderTemplate(' {{ trigger.order }} ', context, 'order')).toEqual(context.trigger.order);
    expect(await renderTemplate('{{ trigger.tags }}', context, 'tags')).toEqual(['vip', 'wholesale']);
    expect(await renderTemplate('{{-trigger.zero-}}', context, 'n')).toBe(0);
    expect(await renderTemplate('{{ trigger.none }}', context, 'n')).toBeNull();
    expect(await renderTemplate('{{ steps.sms.segments }}', context, 'n')).toBe(1);
  });

  it('renders text templates to strings', async () => {
    expect(await renderTemplate('Order {{ trigger.id }} is {{ trigger.status }}', context, 'body')).toBe('Order 1042 is paid');
    expect(await renderTemplate('{{ trigger.id }} {{ trigger.id }}', context, 'body')).toBe('1042 1042');
    expect(await renderTemplate('{{ trigger.order.items.first.offer.name }} and {{ trigger.order.items.size }} more', context, 'body')).toBe('T-shirt M and 2 more');
  });

  it('applies filters, as text', async () => {
    expect(await renderTemplate('{{ trigger.name | upcase }}', context, 'body')).toBe('ANA SOUZA');
    expect(await renderTemplate('{{ trigger.order.totalSumm | times: 2 }}', context, 'body')).toBe('119.8');
    expect(await renderTemplate('Hi {{ trigger.name | capitalize }}', context, 'body')).toBe('Hi Ana souza');
  });

  it('throws a TemplateError naming the field for an unknown variable in a lone expression', async () => {
    const err = await templateError(renderTemplate('{{ trigger.nope }}', context, 'to'));
    expect(err.field).toBe('to');
    expect(err.message).toBe('to: undefined variable: trigger.nope');
  });

  it('throws a TemplateError naming the field for an unknown variable in text', async () => {
    const err = await templateError(renderTemplate('Order {{ trigger.order.nope }} is paid', context, 'body'));
    expect(err.field).toBe('body');
    expect(err.message).toMatch(/^body: undefined variable: trigger\.order\.nope$/);
    const root = await templateError(renderTemplate('Hi {{ customer.name }}', context, 'body'));
    expect(root.message).toBe('body: undefined variable: customer');
  });

  it('refuses unknown filters', async () => {
    const err = await templateError(renderTemplate('{{ trigger.name | shout }}', context, 'body'));
    expect(err.message).toBe('body: undefined filter: shout');
  });

  it('does not expose inherited properties', async () => {
    const err = await templateError(renderTemplate('{{ trigger.constructor }}', context, 'body'));
    expect(err.message).toContain('undefined variable');
  });

  it('is lenient in {% if %}', async () => {
    expect(await renderTemplate('{% if trigger.missing %}yes{% else %}no{% endif %}', context, 'body')).toBe('no');
    expect(await renderTemplate('{% if trigger.status == "paid" %}Paid{% endif %}', context, 'body')).toBe('Paid');
  });

  it.each(["{% include 'greeting' %}", "{% render 'greeting' %}", "{% include '/etc/passwd' %}", "{% render '../../package.json' %}"])(
    'reads no files: %s fails',
    async (source) => {
      const err = await templateError(renderTemplate(source, context, 'body'));
      expect(err.field).toBe('body');
      expect(err.message).toMatch(/ENOENT|Failed to lookup/);
      expect(err.message).not.toContain('root:');
    },
  );

  it('stops a huge loop at the memory limit', async () => {
    const err = await templateError(renderTemplate('{% for i in (1..100000000) %}x{% endfor %}', context, 'body'));
    expect(err.message).toBe('body: memory alloc limit exceeded');
  });

  it('stops a long-running loop at the render time limit', async () => {
    const started = Date.now();
    const err = await templateError(renderTemplate('{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}', context, 'body'));
    expect(err.message).toBe('body: template render limit exceeded');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses output larger than 64 KiB', async () => {
    const big = { trigger: { note: 'x'.repeat(64 * 1024) } };
    expect(await renderTemplate('{{ trigger.note | size }}', big, 'body')).toBe('65536');
    expect(await renderTemplate('{{ trigger.note }}', big, 'body')).toHaveLength(65536);
    const err = await templateError(renderTemplate('Note: {{ trigger.note }}', big, 'body'));
    expect(err.message).toBe('body: renders to more than 65536 characters');
    // A loop that multiplies a value past the limit (few iterations: the time limit must not decide this).
    const loop = await templateError(renderTemplate('{% for i in (1..3) %}{{ trigger.note }}{% endfor %}', { trigger: { note: 'y'.repeat(30_000) } }, 'body'));
    expect(loop.message).toBe('body: renders to more than 65536 characters');
  });

  it('reports syntax errors as TemplateErrors', async () => {
    const err = await templateError(renderTemplate('Order {{ trigger.id ', context, 'body'));
    expect(err.field).toBe('body');
    expect(err.message).toBe('body: output "{{ trigger.id " not closed');
  });

  it('gives the same results from the compiled-template cache', async () => {
    const source = 'Order {{ trigger.id }} for {{ trigger.name | upcase }}';
    const first = await renderTemplate(source, context, 'body');
    const second = await renderTemplate(source, context, 'body');
    expect(first).toBe('Order 1042 for ANA SOUZA');
    expect(second).toBe(first);
    // The cache holds the template, not the result: another context renders anew.
    const other = { trigger: { id: 7, name: 'budi' } };
    expect(await renderTemplate(source, other, 'body')).toBe('Order 7 for BUDI');
    expect(await renderTemplate('{{ trigger.id }}', context, 'x')).toBe(1042);
    expect(await renderTemplate('{{ trigger.id }}', other, 'x')).toBe(7);
    // A failing template fails again, with the field of each call.
    await templateError(renderTemplate(source, { trigger: { id: 7 } }, 'first'));
    const again = await templateError(renderTemplate(source, { trigger: { id: 7 } }, 'second'));
    expect(again.field).toBe('second');
  });
});

describe('renderConfig', () => {
  it('renders strings deeply and leaves other values alone', async () => {
    const config = {
      to: '{{ trigger.order.phone }}',
      body: 'Order {{ trigger.order.number }} is {{ trigger.status }}',
      count: 3,
      enabled: true,
      missing: null,
      lines: [{ name: '{{ trigger.order.items.first.offer.name }}', qty: '{{ trigger.order.items.first.quantity }}' }, 'static', 7],
      meta: { smsSid: '{{ steps.sms.sid }}', tags: '{{ trigger.tags }}' },
    };
    expect(await renderConfig(config, context)).toEqual({
      to: '+5511998765432',
      body: 'Order 1042A is paid',
      count: 3,
      enabled: true,
      missing: null,
      lines: [{ name: 'T-shirt M', qty: 2 }, 'static', 7],
      meta: { smsSid: 'SM3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f', tags: ['vip', 'wholesale'] },
    });
  });

  it('names the dot path of a failing field', async () => {
    const err = await templateError(renderConfig({ lines: [{ name: 'ok' }, { name: '{{ trigger.order.nope }}' }] }, context));
    expect(err.field).toBe('lines.1.name');
    expect(err.message).toBe('lines.1.name: undefined variable: trigger.order.nope');
  });

  it('renders a lone value without a path', async () => {
    expect(await renderConfig('{{ trigger.id }}', context)).toBe(1042);
    expect(await renderConfig(42, context)).toBe(42);
    const err = await templateError(renderConfig('{{ trigger.nope }}', context));
    expect(err.field).toBe('(value)');
  });
});

describe('templateSyntaxError', () => {
  it('returns null for a valid template and the message otherwise', () => {
    expect(templateSyntaxError('Order {{ trigger.id }}')).toBeNull();
    expect(templateSyntaxError('{{ trigger.id')).toBe('output "{{ trigger.id" not closed');
    expect(templateSyntaxError('{% if trigger.id %}paid')).toBe('tag {% if trigger.id %} not closed');
  });
});
