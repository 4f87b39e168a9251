// The keyboard shortcuts of the editor, listed in one place (opened with "?" or the toolbar's button).
import { Modal } from '../components/ui';

export const SHORTCUTS: Array<{ keys: string[]; what: string }> = [
  { keys: ['?'], what: 'Show these shortcuts' },
  { keys: ['Ctrl', 'S'], what: 'Save the draft now (it also saves a moment after each edit)' },
  { keys: ['Ctrl', 'Z'], what: 'Undo' },
  { keys: ['Ctrl', 'Shift', 'Z'], what: 'Redo (also Ctrl+Y)' },
  { keys: ['Ctrl', 'D'], what: 'Duplicate the selected steps' },
  { keys: ['Del'], what: 'Delete the selection (also Backspace)' },
  { keys: ['Shift', 'drag'], what: 'Select several nodes' },
  { keys: ['Ctrl', 'click'], what: 'Add a node or connection to the selection' },
  { keys: ['Esc'], what: 'Close a menu or this overlay' },
];

export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts-table" data-testid="shortcuts-overlay">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && '+'}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
