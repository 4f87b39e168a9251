import { useState } from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { JsonSchema } from '../api/types';
import { fixtureProviders, manifestOf } from '../test-fixtures';
import { ConfigForm, type ConfigFormProps } from './ConfigForm';
import { defaultsFromSchema, fieldsFromSchema } from './schemaFields';

function Harness(props: Omit<ConfigFormProps, 'values' | 'onChange'> & { initial?: Record<string, unknown>; onValues?: (v: Record<string, unknown>) => void }) {
  const [values, setValues] = useState<Record<string, unknown>>(props.initial ?? {});
  return (
    <ConfigForm
      {...props}
      values={values}
      onChange={(k, v) => {
        const next = { ...values, [k]: v };
        setValues(next);
        props.onValues?.(next);
      }}
    />
  );
}

describe('fieldsFromSchema', () => {
  it('reads widgets from x-widget and infers the rest from JSON Schema types', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        notes: { type: 'string', 'x-widget': 'textarea' },
        count: { type: 'integer' },
        enabled: { type: 'boolean' },
        mode: { type: 'string', enum: ['all', 'any'] },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        token: { type: 'string', 'x-secret': true },
        maybe: { anyOf: [{ type: 'number' }, { type: 'null' }] },
        to: { type: 'string', 'x-mappable': true },
      },
      required: ['name'],
    };
    const widgets = Object.fromEntries(fieldsFromSchema(schema).map((f) => [f.key, f.widget]));
    expect(widgets).toEqual({
      name: 'text',
      notes: 'textarea',
      count: 'number',
      enabled: 'switch',
      mode: 'select',
      tags: 'multiselect',
      headers: 'json',
      token: 'secret',
      maybe: 'number',
      to: 'template',
    });
    expect(fieldsFromSchema(schema).find((f) => f.key === 'name')?.required).toBe(true);
  });

  it('reads the manifests of real node types', () => {
    const sms = fieldsFromSchema(manifestOf('twilio.send_sms').configSchema);
    expect(sms.map((f) => [f.key, f.widget, f.required])).toEqual([
      ['from', 'select', true],
      ['to', 'template', true],
      ['body', 'template', true],
      ['maxSegments', 'number', false],
    ]);
    expect(sms[0]?.optionsSource).toBe('senders');
    expect(sms[2]?.sms).toBe(true);
    const code = fieldsFromSchema(manifestOf('core.code').configSchema);
    expect(code.map((f) => [f.key, f.widget, f.required])).toEqual([
      ['input', 'json', false],
      ['code', 'code', true],
      ['timeoutMs', 'number', false],
      ['memoryMb', 'number', false],
    ]);
    expect(code[1]?.mappable).toBe(false);
    const trigger = manifestOf('retailcrm.order_changed').configSchema;
    expect(fieldsFromSchema(trigger).map((f) => f.widget)).toEqual(['multiselect', 'multiselect', 'switch']);
    expect(defaultsFromSchema(trigger)).toEqual({ events: ['new', 'status'], statuses: [], loadOrder: false });
  });
});

describe('ConfigForm', () => {
  it('renders one control per widget with labels, required marks and help', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        subject: { type: 'string', title: 'Subject', description: 'Shown first' },
        notes: { type: 'string', 'x-widget': 'textarea', title: 'Notes' },
        retries: { type: 'integer', title: 'Retries' },
        active: { type: 'boolean', title: 'Active' },
        mode: { type: 'string', enum: ['all', 'any'], title: 'Mode' },
        events: { type: 'array', items: { type: 'string', enum: ['new', 'status'] }, title: 'Events' },
        apiKey: { type: 'string', 'x-widget': 'secret', title: 'API key' },
      },
      required: ['subject'],
    };
    render(<Harness fields={fieldsFromSchema(schema)} />);
    expect(screen.getByLabelText(/Subject/)).toHaveProperty('type', 'text');
    expect(screen.getByText('Shown first')).toBeTruthy();
    expect(screen.getByLabelText('required')).toBeTruthy();
    expect(screen.getByLabelText('Notes').tagName).toBe('TEXTAREA');
    expect(screen.getByLabelText('Retries')).toHaveProperty('type', 'number');
    expect(screen.getByRole('switch', { name: 'Active' })).toBeTruthy();
    expect(screen.getByLabelText('Mode').tagName).toBe('SELECT');
    expect(screen.getByRole('group', { name: 'Events' })).toBeTruthy();
    expect(screen.getAllByRole('checkbox').filter((c) => c.getAttribute('role') !== 'switch')).toHaveLength(2);
    expect(screen.getByLabelText('API key')).toHaveProperty('type', 'password');
  });

  it('edits core.code’s code in a monospaced, multi-line field that keeps what is typed as it is', async () => {
    const onValues = vi.fn();
    render(<Harness fields={fieldsFromSchema(manifestOf('core.code').configSchema)} onValues={onValues} />);
    const code = screen.getByLabelText(/^Code/);
    expect(code.tagName).toBe('TEXTAREA');
    expect(code.className).toContain('mono');
    expect(code.getAttribute('spellcheck')).toBe('false');
    // No field picker: the code is never a template.
    expect(screen.queryByTestId('field-code-insert')).toBeNull();
    fireEvent.change(code, { target: { value: 'const digits = input.phone.replace(/\\D/g, "");\nreturn { digits };' } });
    expect(onValues).toHaveBeenLastCalledWith({ code: 'const digits = input.phone.replace(/\\D/g, "");\nreturn { digits };' });
    expect(screen.getByLabelText(/Time limit/)).toHaveProperty('type', 'number');
  });

  it('emits typed values: numbers, booleans, enum values and arrays', async () => {
    const onValues = vi.fn();
    const schema = manifestOf('retailcrm.order_changed').configSchema;
    render(<Harness fields={fieldsFromSchema(schema)} initial={defaultsFromSchema(schema)} onValues={onValues} />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'new' }));
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ events: ['status'] }));
    await userEvent.click(screen.getByRole('switch', { name: /Load the full order/ }));
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ loadOrder: true }));
  });

  it('loads x-options from the connection and offers them as choices', async () => {
    const schema = manifestOf('retailcrm.order_changed').configSchema;
    const loadOptions = vi.fn(async () => [
      { value: 'new', label: 'New (new)' },
      { value: 'paid', label: 'Paid (paid)' },
    ]);
    const onValues = vi.fn();
    render(<Harness fields={fieldsFromSchema(schema)} initial={{ statuses: [] }} loadOptions={loadOptions} optionsKey="conn1" onValues={onValues} />);
    const paid = await screen.findByRole('checkbox', { name: 'Paid (paid)' });
    expect(loadOptions).toHaveBeenCalledWith('statuses');
    await userEvent.click(paid);
    expect(onValues).toHaveBeenLastCalledWith({ statuses: ['paid'] });
  });

  it('falls back to free input when no connection can list options', () => {
    const fields = fieldsFromSchema(manifestOf('twilio.send_sms').configSchema);
    render(<Harness fields={fields} loadOptions={null} />);
    expect(screen.getByTestId('field-from').tagName).toBe('INPUT');
    expect(screen.getByText('Choose a connection to list these options.')).toBeTruthy();
  });

  it('shows a server error on its field', () => {
    const fields = fieldsFromSchema(manifestOf('twilio.send_sms').configSchema);
    render(<Harness fields={fields} errors={{ to: 'To is required' }} />);
    expect(screen.getByTestId('field-error-to').textContent).toBe('To is required');
    expect(screen.getByTestId('field-to').getAttribute('aria-invalid')).toBe('true');
  });

  it('renders a provider auth schema with stored secrets left blank', () => {
    const twilio = fixtureProviders.find((p) => p.id === 'twilio');
    render(<Harness fields={fieldsFromSchema(twilio?.authSchema)} secretsSet={['authToken']} initial={{ accountSid: 'AC' + '0'.repeat(32) }} />);
    const token = screen.getByLabelText(/Auth token/) as HTMLInputElement;
    expect(token.type).toBe('password');
    expect(token.placeholder).toMatch(/stored/);
  });

  it('parses JSON fields on blur and reports invalid JSON', async () => {
    const onValues = vi.fn();
    const schema: JsonSchema = { type: 'object', properties: { headers: { type: 'object', title: 'Headers' } } };
    render(<Harness fields={fieldsFromSchema(schema)} onValues={onValues} />);
    const box = screen.getByLabelText('Headers');
    fireEvent.change(box, { target: { value: '{"X-Id": "1"}' } });
    fireEvent.blur(box);
    expect(onValues).toHaveBeenLastCalledWith({ headers: { 'X-Id': '1' } });
    fireEvent.change(box, { target: { value: '{oops' } });
    fireEvent.blur(box);
    await waitFor(() => expect(screen.getByText(/Not valid JSON/)).toBeTruthy());
  });

  it('edits an array of objects (a branch’s conditions) item by item, with errors on the item field', async () => {
    const onValues = vi.fn();
    const fields = fieldsFromSchema(manifestOf('core.branch').configSchema);
    expect(fields.find((f) => f.key === 'conditions')?.widget).toBe('list');
    render(<Harness fields={fields} initial={{ mode: 'all', conditions: [{ left: '', op: 'eq' }] }} errors={{ 'conditions.0.left': 'Value is required' }} onValues={onValues} />);
    expect(screen.getByText('Value is required')).toBeTruthy();
    await userEvent.click(screen.getByTestId('field-conditions-add'));
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ conditions: [{ left: '', op: 'eq' }, {}] }));
    await userEvent.selectOptions(screen.getAllByLabelText(/Operator/)[1] as HTMLSelectElement, 'contains');
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ conditions: [{ left: '', op: 'eq' }, { op: 'contains' }] }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove condition 1' }));
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ conditions: [{ op: 'contains' }] }));
  });

  it('shows a schedule’s next runs under its cron, for the time zone typed next to it', async () => {
    vi.spyOn(api.settings, 'workspace').mockResolvedValue({ id: '0190a3c2-7c4e-7d1a-9f00-5b2d8e1c4a10', name: 'Loja da Ana', timeZone: 'UTC' });
    const preview = vi.spyOn(api, 'schedulePreview').mockResolvedValue({ next: ['2026-12-02T08:00:00.000Z', '2026-12-03T08:00:00.000Z', '2026-12-04T08:00:00.000Z'] });
    const fields = fieldsFromSchema(manifestOf('core.schedule').configSchema);
    expect(fields.find((f) => f.key === 'cron')?.widget).toBe('cron');
    expect(fields.find((f) => f.key === 'timezone')?.widget).toBe('timezone');
    render(<Harness fields={fields} initial={{ timezone: 'Europe/Berlin' }} />);
    fireEvent.change(screen.getByTestId('field-cron'), { target: { value: '0 9 * * 1-5' } });
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(3));
    expect(preview).toHaveBeenLastCalledWith({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    expect(screen.getByTestId('schedule-preview').textContent).toContain('Wed, 2 Dec 2026, 08:00');
    vi.restoreAllMocks();
  });
});
