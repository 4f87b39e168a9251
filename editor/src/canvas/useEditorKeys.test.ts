import { describe, expect, it } from 'vitest';
import { actionOfKey } from './useEditorKeys';
import { SHORTCUTS } from './ShortcutsOverlay';

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('editor shortcuts', () => {
  it('maps the keys the overlay lists to their actions', () => {
    expect(actionOfKey(key('s', { ctrl: true }), false)).toBe('save');
    expect(actionOfKey(key('S', { meta: true }), false)).toBe('save');
    expect(actionOfKey(key('z', { ctrl: true }), false)).toBe('undo');
    expect(actionOfKey(key('Z', { ctrl: true, shift: true }), false)).toBe('redo');
    expect(actionOfKey(key('y', { ctrl: true }), false)).toBe('redo');
    expect(actionOfKey(key('d', { ctrl: true }), false)).toBe('duplicate');
    expect(actionOfKey(key('?', { shift: true }), false)).toBe('help');
    expect(SHORTCUTS.map((s) => s.keys.join('+'))).toEqual(expect.arrayContaining(['?', 'Ctrl+S', 'Ctrl+Z', 'Ctrl+Shift+Z', 'Ctrl+D', 'Del']));
  });

  it('leaves a field’s own keys alone while typing, except save', () => {
    expect(actionOfKey(key('s', { ctrl: true }), true)).toBe('save');
    expect(actionOfKey(key('z', { ctrl: true }), true)).toBeNull();
    expect(actionOfKey(key('d', { ctrl: true }), true)).toBeNull();
    expect(actionOfKey(key('?', { shift: true }), true)).toBeNull();
    expect(actionOfKey(key('d'), false)).toBeNull();
    expect(actionOfKey(key('c', { ctrl: true }), false)).toBeNull();
  });
});
