import { describe, expect, it } from 'vitest';
import {
  ariaKeys,
  chordLabel,
  COMMAND_IDS,
  commandForKey,
  commandSpec,
  commandTooltip,
  electronAccelerator,
  FILE_MENU,
  MENU_COMMAND_IDS,
  shortcutGroups,
  type KeyPress,
} from './commands';

const press = (key: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});
const page = { typing: false, desktop: false };

describe('the command registry', () => {
  it('maps the editor keys to their commands, with and without Shift', () => {
    expect(commandForKey(press(' '), page)).toBe('playPause');
    expect(commandForKey(press('ArrowRight'), page)).toBe('frameForward');
    expect(commandForKey(press('ArrowRight', { shiftKey: true }), page)).toBe('secondForward');
    expect(commandForKey(press('.'), page)).toBe('frameForward');
    expect(commandForKey(press('i'), page)).toBe('markIn');
    expect(commandForKey(press('I', { shiftKey: true }), page)).toBe('goToIn');
    expect(commandForKey(press('?', { shiftKey: true }), page)).toBe('toggleHelp');
    expect(commandForKey(press('x'), page)).toBeNull();
    // A letter with Ctrl or Alt is not the letter's command.
    expect(commandForKey(press('i', { ctrlKey: true }), page)).toBeNull();
    expect(commandForKey(press('p', { altKey: true }), page)).toBeNull();
  });

  it('leaves plain keys to a text field, but not Ctrl chords', () => {
    const typing = { typing: true, desktop: false };
    expect(commandForKey(press('i'), typing)).toBeNull();
    expect(commandForKey(press(' '), typing)).toBeNull();
    expect(commandForKey(press('s', { ctrlKey: true }), typing)).toBe('saveProject');
    expect(commandForKey(press('S', { metaKey: true, shiftKey: true }), typing)).toBe('saveProjectAs');
  });

  it('leaves chords that are in the desktop menu to the menu, so nothing runs twice', () => {
    const desktop = { typing: false, desktop: true };
    expect(commandForKey(press('s', { ctrlKey: true }), desktop)).toBeNull();
    expect(commandForKey(press('b'), desktop)).toBe('toggleBefore');
  });

  it('gives no two commands the same key', () => {
    const seen = new Map<string, string>();
    for (const id of COMMAND_IDS) {
      for (const c of commandSpec(id).keys ?? []) {
        const shifts = c.shift === undefined ? [false, true] : [c.shift];
        for (const shift of shifts) {
          const name = `${c.mod ? 'mod+' : ''}${c.alt ? 'alt+' : ''}${shift ? 'shift+' : ''}${c.key}`;
          expect(seen.get(name), `${name}: ${id} and ${seen.get(name)}`).toBeUndefined();
          seen.set(name, id);
        }
      }
    }
    const accelerators = MENU_COMMAND_IDS.map((id) => electronAccelerator(commandSpec(id).menu!.accelerator));
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });

  it('lists every menu command in the File menu once, and only those', () => {
    const inMenu = FILE_MENU.filter((e) => e !== 'separator' && e !== 'recent');
    expect([...inMenu].sort()).toEqual([...MENU_COMMAND_IDS].sort());
  });

  it('writes keys for people, for Electron and for ARIA', () => {
    expect(chordLabel({ key: 'ArrowRight', shift: true })).toBe('Shift + →');
    expect(chordLabel({ key: 'I' })).toBe('Shift + I');
    expect(chordLabel({ key: ' ' })).toBe('Space');
    expect(chordLabel({ key: 's', mod: true }, true)).toBe('⌘ + S');
    expect(electronAccelerator({ key: 'o', mod: true, alt: true })).toBe('CmdOrCtrl+Alt+O');
    expect(electronAccelerator({ key: 's', mod: true, shift: true })).toBe('CmdOrCtrl+Shift+S');
    expect(ariaKeys('frameBack')).toBe('ArrowLeft ,');
    expect(ariaKeys('playPause')).toBe('Space');
    expect(commandTooltip('frameBack')).toBe('One frame back (← or ,)');
    expect(commandTooltip('render')).toBe('Queue this render (Ctrl + R in the desktop app)');
  });

  it('shows every command that has a key in the ? list, grouped', () => {
    const groups = shortcutGroups();
    const rows = groups.flatMap((g) => g.rows.map(([, what]) => what));
    expect(groups.map((g) => g.group)).toEqual([
      'Playback',
      'Trim',
      'Preview',
      'Project',
      'Files',
      'Render',
      'Help',
    ]);
    expect(rows).toContain('Set the in point at the playhead');
    expect(rows).toContain('Queue this render (desktop app)');
    expect(rows).toHaveLength(COMMAND_IDS.length);
  });
});
