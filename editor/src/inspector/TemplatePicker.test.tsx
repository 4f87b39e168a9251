import { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { OptionItem } from '../api/types';
import { manifestOf } from '../test-fixtures';
import { ConfigForm, type ConfigFormProps } from './ConfigForm';
import { defaultsFromSchema, fieldsFromSchema } from './schemaFields';

function Harness(props: Omit<ConfigFormProps, 'values' | 'onChange' | 'onPatch'> & { initial?: Record<string, unknown>; onValues?: (v: Record<string, unknown>) => void }) {
  const [values, setValues] = useState<Record<string, unknown>>(props.initial ?? {});
  const apply = (patch: Record<string, unknown>) =>
    setValues((prev) => {
      const next = { ...prev, ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
      props.onValues?.(next);
      return next;
    });
  return <ConfigForm {...props} values={values} onChange={(k, v) => apply({ [k]: v })} onPatch={apply} />;
}

const sid = (n: number) => 'HX' + String(n).repeat(32);

const contentTemplates: OptionItem[] = [
  {
    value: sid(1),
    label: 'order_shipped (en)',
    description: 'twilio/text',
    details: { text: 'Hi {{1}}, order {{2}} shipped', variables: [{ key: '1', example: 'Ana' }, { key: '2', example: 'A-17' }], languages: ['en'] },
  },
  { value: sid(2), label: 'welcome (en)', details: { text: 'Welcome!', variables: [], languages: ['en'] } },
];

const waTemplates: OptionItem[] = [
  { value: 'order_update', label: 'order_update (pt_BR)', sets: { language: 'pt_BR' }, details: { text: 'Olá {{1}}, pedido {{2}}', variables: [{ key: '1', type: 'text' }, { key: '2', type: 'text' }] } },
  { value: 'order_update', label: 'order_update (en_US)', sets: { language: 'en_US' }, details: { text: 'Hi {{1}}, order {{2}}', variables: [{ key: '1', type: 'text' }, { key: '2', type: 'text' }] } },
  {
    value: 'promo',
    label: 'promo (en_US)',
    disabled: true,
    disabledReason: 'PENDING: only approved templates can be sent',
    sets: { language: 'en_US' },
    details: { text: 'Sale {{1}}', variables: [{ key: '1', type: 'text' }] },
  },
];

const twilioFields = () => fieldsFromSchema(manifestOf('twilio.send_whatsapp').configSchema);
const waSchema = () => manifestOf('whatsapp.send_template').configSchema;

describe('Twilio Content template picker', () => {
  it('shows the chosen template’s text and one mappable field per variable, writing contentVariables', async () => {
    const loadOptions = vi.fn(async (source: string) => (source === 'contentTemplates' ? contentTemplates : []));
    const onValues = vi.fn();
    render(<Harness fields={twilioFields()} loadOptions={loadOptions} optionsKey="c1" onValues={onValues} initial={{ from: '+14155238886', to: '+5511998765432' }} />);
    const select = await screen.findByRole('option', { name: 'order_shipped (en)' }).then(() => screen.getByTestId('field-contentSid'));
    // Before a template is chosen, the variables are free JSON.
    expect(screen.getByTestId('field-contentVariables').tagName).toBe('TEXTAREA');
    await userEvent.selectOptions(select, 'order_shipped (en)');
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ contentSid: sid(1) }));
    expect(screen.getByTestId('field-contentVariables-preview').textContent).toContain('Hi {{1}}, order {{2}} shipped');
    const one = screen.getByTestId('field-contentVariables-1') as HTMLInputElement;
    const two = screen.getByTestId('field-contentVariables-2') as HTMLInputElement;
    expect(one.placeholder).toBe('e.g. Ana');
    expect(two.placeholder).toBe('e.g. A-17');
    expect(screen.queryByTestId('field-contentVariables-3')).toBeNull();
    await userEvent.type(one, 'Bia');
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ contentSid: sid(1), contentVariables: { '1': 'Bia' } }));
    expect(screen.getByTestId('field-contentVariables-preview').textContent).toContain('Hi Bia, order {{2}} shipped');
    // Both fields read one list: the connection was asked once.
    expect(loadOptions.mock.calls.filter(([s]) => s === 'contentTemplates')).toHaveLength(1);
  });

  it('drops the variables of the previous template when another or none is chosen', async () => {
    const onValues = vi.fn();
    render(<Harness fields={twilioFields()} loadOptions={async () => contentTemplates} optionsKey="c1" onValues={onValues} initial={{ contentSid: sid(1), contentVariables: { '1': 'Bia', '2': 'A-9' } }} />);
    await screen.findByTestId('field-contentVariables-1');
    await userEvent.selectOptions(screen.getByTestId('field-contentSid'), 'welcome (en)');
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ contentSid: sid(2) }));
    expect(onValues.mock.lastCall![0]).not.toHaveProperty('contentVariables');
    expect(screen.getByText('This template takes no variables.')).toBeTruthy();
    // No template (a free-form text instead): no variables either.
    await userEvent.selectOptions(screen.getByTestId('field-contentSid'), '');
    expect(onValues.mock.lastCall![0]).toEqual({});
  });
});

describe('WhatsApp template picker', () => {
  it('sets template and language together and offers one parameter field per placeholder', async () => {
    const onValues = vi.fn();
    render(<Harness fields={fieldsFromSchema(waSchema())} initial={{ ...defaultsFromSchema(waSchema()), to: '+5511998765432' }} loadOptions={async () => waTemplates} optionsKey="w1" onValues={onValues} />);
    const select = await screen.findByRole('option', { name: 'order_update (en_US)' }).then(() => screen.getByTestId('field-template'));
    await userEvent.selectOptions(select, 'order_update (en_US)');
    expect(onValues).toHaveBeenLastCalledWith({ to: '+5511998765432', template: 'order_update', language: 'en_US', parameters: ['', ''] });
    expect((select as HTMLSelectElement).selectedOptions[0]!.textContent).toBe('order_update (en_US)');
    expect(screen.getByTestId('field-parameters-preview').textContent).toContain('Hi {{1}}, order {{2}}');
    await userEvent.type(screen.getByTestId('field-parameters-2'), 'A-17');
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ parameters: ['', 'A-17'] }));
    expect(screen.getByTestId('field-parameters-preview').textContent).toContain('Hi {{1}}, order A-17');
  });

  it('shows a template that is not approved, with its reason, and does not let it be chosen', async () => {
    const onValues = vi.fn();
    render(<Harness fields={fieldsFromSchema(waSchema())} initial={defaultsFromSchema(waSchema())} loadOptions={async () => waTemplates} optionsKey="w1" onValues={onValues} />);
    const promo = (await screen.findByRole('option', { name: /promo \(en_US\)/ })) as HTMLOptionElement;
    expect(promo.disabled).toBe(true);
    expect(promo.textContent).toBe('promo (en_US) — PENDING: only approved templates can be sent');
    const select = screen.getByTestId('field-template') as HTMLSelectElement;
    fireEvent.change(select, { target: { value: promo.value } });
    // A later, allowed choice is the only one that arrives: the disabled one changed nothing.
    await userEvent.selectOptions(select, 'order_update (pt_BR)');
    expect(onValues.mock.calls.map(([v]) => (v as Record<string, unknown>).template)).toEqual(['order_update']);
    expect(onValues).toHaveBeenLastCalledWith(expect.objectContaining({ template: 'order_update', language: 'pt_BR' }));
  });

  it('says when the account has no templates, while loading, and what went wrong', async () => {
    const { unmount } = render(<Harness fields={fieldsFromSchema(waSchema())} loadOptions={async () => []} optionsKey="w1" />);
    expect((await screen.findByTestId('field-template-empty')).textContent).toBe('No templates in this account.');
    unmount();

    let fail: (e: Error) => void = () => undefined;
    const pending = new Promise<OptionItem[]>((_, reject) => (fail = reject));
    render(<Harness fields={fieldsFromSchema(waSchema())} loadOptions={() => pending} optionsKey="w2" />);
    const wrap = screen.getByTestId('field-wrap-template');
    expect(within(wrap).getByText('Loading options…')).toBeTruthy();
    fail(new Error('Set the WhatsApp Business Account id on the connection to list its templates.'));
    expect(await within(wrap).findByText(/Could not load options: Set the WhatsApp Business Account id on the connection/)).toBeTruthy();
    expect(within(wrap).getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});
