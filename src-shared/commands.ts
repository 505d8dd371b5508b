/**
 * Every command of the studio with its words and its keys: the one home that the desktop menu,
 * the page's keyboard shortcuts, the buttons' tooltips and the `?` list all read (excalidraw's
 * actions, without the UI). What a command does lives with the UI (src-renderer/src/commands.ts).
 */

/** A key as KeyboardEvent.key names it, with its modifiers; `shift` left out: either. */
export interface KeyChord {
  key: string;
  shift?: boolean;
  /** Ctrl, or ⌘ on macOS. */
  mod?: boolean;
  alt?: boolean;
}

export type CommandGroup = 'Playback' | 'Trim' | 'Preview' | 'Project' | 'Files' | 'Render' | 'Help';

export interface CommandSpec {
  /** What it does, in the `?` list, the menu (with `menu`) and tooltips. */
  title: string;
  group: CommandGroup;
  /** Keys the page takes (in a browser too). */
  keys?: readonly KeyChord[];
  /** In the desktop app's File menu: the item's label and its accelerator. */
  menu?: { label: string; accelerator: KeyChord };
}

const key = (k: string, extra: Omit<KeyChord, 'key'> = {}): KeyChord => ({ key: k, ...extra });

export const COMMANDS = {
  playPause: { title: 'Play / pause', group: 'Playback', keys: [key(' ')] },
  shuttleBack: { title: 'Shuttle backward (again: faster)', group: 'Playback', keys: [key('j')] },
  shuttleStop: { title: 'Stop the shuttle', group: 'Playback', keys: [key('k')] },
  shuttleForward: { title: 'Shuttle forward (again: faster)', group: 'Playback', keys: [key('l')] },
  frameBack: {
    title: 'One frame back',
    group: 'Playback',
    keys: [key('ArrowLeft', { shift: false }), key(',')],
  },
  frameForward: {
    title: 'One frame forward',
    group: 'Playback',
    keys: [key('ArrowRight', { shift: false }), key('.')],
  },
  secondBack: {
    title: 'One second back',
    group: 'Playback',
    keys: [key('ArrowLeft', { shift: true }), key('PageDown')],
  },
  secondForward: {
    title: 'One second forward',
    group: 'Playback',
    keys: [key('ArrowRight', { shift: true }), key('PageUp')],
  },
  goToStart: { title: 'First frame', group: 'Playback', keys: [key('Home')] },
  goToEnd: { title: 'Last frame', group: 'Playback', keys: [key('End')] },
  markIn: { title: 'Set the in point at the playhead', group: 'Trim', keys: [key('i')] },
  markOut: { title: "Set the out point after the playhead's frame", group: 'Trim', keys: [key('o')] },
  goToIn: { title: 'Go to the in point', group: 'Trim', keys: [key('I')] },
  goToOut: { title: 'Go to the out point', group: 'Trim', keys: [key('O')] },
  toggleBefore: { title: 'Preview: before / after (with paste-back)', group: 'Preview', keys: [key('b')] },
  previewRange: { title: 'Render a quick preview of the trimmed range', group: 'Preview', keys: [key('p')] },
  openProject: {
    title: 'Open a project',
    group: 'Project',
    menu: { label: 'Open Project…', accelerator: key('o', { mod: true, alt: true }) },
  },
  saveProject: {
    title: 'Save the project',
    group: 'Project',
    keys: [key('s', { mod: true, shift: false })],
    menu: { label: 'Save Project', accelerator: key('s', { mod: true }) },
  },
  saveProjectAs: {
    title: 'Save the project under another name',
    group: 'Project',
    keys: [key('S', { mod: true, shift: true })],
    menu: { label: 'Save Project As…', accelerator: key('s', { mod: true, shift: true }) },
  },
  openSource: {
    title: 'Open a source image',
    group: 'Files',
    menu: { label: 'Open Source Image…', accelerator: key('o', { mod: true }) },
  },
  openDriving: {
    title: 'Open a driving video',
    group: 'Files',
    menu: { label: 'Open Driving Video…', accelerator: key('o', { mod: true, shift: true }) },
  },
  importModel: {
    title: 'Add a model (import a checkpoint)',
    group: 'Files',
    menu: { label: 'Add Model…', accelerator: key('m', { mod: true, shift: true }) },
  },
  render: {
    title: 'Queue this render',
    group: 'Render',
    menu: { label: 'Render', accelerator: key('r', { mod: true }) },
  },
  toggleHelp: { title: 'Show / hide this list', group: 'Help', keys: [key('?')] },
  closeHelp: { title: 'Close this list', group: 'Help', keys: [key('Escape')] },
} as const satisfies Record<string, CommandSpec>;

export type CommandId = keyof typeof COMMANDS;

export const COMMAND_IDS = Object.keys(COMMANDS) as [CommandId, ...CommandId[]];

export function commandSpec(id: CommandId): CommandSpec {
  return COMMANDS[id];
}

/** The desktop File menu, top to bottom: commands, the recent-projects submenu and separators. */
export const FILE_MENU: ReadonlyArray<CommandId | 'recent' | 'separator'> = [
  'openProject',
  'recent',
  'saveProject',
  'saveProjectAs',
  'separator',
  'openSource',
  'openDriving',
  'importModel',
  'separator',
  'render',
];

/** Commands the menu can send (the `menu` event's action). */
export const MENU_COMMAND_IDS = COMMAND_IDS.filter((id) => commandSpec(id).menu) as [
  CommandId,
  ...CommandId[],
];

export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

function matches(chord: KeyChord, e: KeyPress): boolean {
  return (
    chord.key === e.key &&
    (chord.shift === undefined || chord.shift === e.shiftKey) &&
    Boolean(chord.mod) === (e.ctrlKey || e.metaKey) &&
    Boolean(chord.alt) === e.altKey
  );
}

/**
 * The command a key press asks for. While the user types in a text field only chords with Ctrl/⌘
 * count; in the desktop app those that are also in the menu are left to the menu, so nothing runs
 * twice.
 */
export function commandForKey(e: KeyPress, where: { typing: boolean; desktop: boolean }): CommandId | null {
  for (const id of COMMAND_IDS) {
    const spec = commandSpec(id);
    for (const chord of spec.keys ?? []) {
      if (!matches(chord, e)) continue;
      if (where.typing && !chord.mod) continue;
      if (where.desktop && chord.mod && spec.menu) continue;
      return id;
    }
  }
  return null;
}

const KEY_WORDS: Record<string, string> = {
  ' ': 'Space',
  ArrowLeft: '←',
  ArrowRight: '→',
  PageUp: 'Page Up',
  PageDown: 'Page Down',
  Escape: 'Esc',
};

/** How a chord reads in the `?` list and tooltips: "Shift + →", "Ctrl + S", "I". */
export function chordLabel(chord: KeyChord, mac = false): string {
  const parts: string[] = [];
  if (chord.mod) parts.push(mac ? '⌘' : 'Ctrl');
  if (chord.alt) parts.push(mac ? '⌥' : 'Alt');
  // A capital letter is typed with Shift; say so.
  const capital = /^[A-Z]$/.test(chord.key);
  if (chord.shift || (capital && chord.shift !== false && !chord.mod)) parts.push('Shift');
  parts.push(KEY_WORDS[chord.key] ?? chord.key.toUpperCase());
  return parts.join(' + ');
}

/** Every key of a command, for its tooltip and the `?` list ("← or ,"); the menu's key where it has only that. */
export function shortcutText(id: CommandId, mac = false): string {
  const spec = commandSpec(id);
  const chords = spec.keys ?? (spec.menu ? [spec.menu.accelerator] : []);
  return chords.map((c) => chordLabel(c, mac)).join(' or ');
}

/** A button's tooltip: what it does and its keys. */
export function commandTooltip(id: CommandId, mac = false): string {
  const spec = commandSpec(id);
  const keys = shortcutText(id, mac);
  if (!keys) return spec.title;
  return spec.keys ? `${spec.title} (${keys})` : `${spec.title} (${keys} in the desktop app)`;
}

/** The chord in Electron's accelerator syntax ("CmdOrCtrl+Shift+S"). */
export function electronAccelerator(chord: KeyChord): string {
  const parts: string[] = [];
  if (chord.mod) parts.push('CmdOrCtrl');
  if (chord.alt) parts.push('Alt');
  if (chord.shift) parts.push('Shift');
  parts.push(chord.key.length === 1 ? chord.key.toUpperCase() : chord.key);
  return parts.join('+');
}

/** The chord as aria-keyshortcuts writes it ("Shift+ArrowRight", "Control+S", "Space"). */
export function ariaKeys(id: CommandId): string {
  const chords = commandSpec(id).keys ?? [];
  return chords
    .map((c) => {
      const parts: string[] = [];
      if (c.mod) parts.push('Control');
      if (c.alt) parts.push('Alt');
      if (c.shift) parts.push('Shift');
      parts.push(c.key === ' ' ? 'Space' : c.key);
      return parts.join('+');
    })
    .join(' ');
}

/** The `?` list: each group's commands with their keys, in registry order. */
export function shortcutGroups(mac = false): Array<{ group: CommandGroup; rows: Array<[string, string]> }> {
  const groups: Array<{ group: CommandGroup; rows: Array<[string, string]> }> = [];
  for (const id of COMMAND_IDS) {
    const spec = commandSpec(id);
    const keys = shortcutText(id, mac);
    if (!keys) continue;
    let entry = groups.find((g) => g.group === spec.group);
    if (!entry) groups.push((entry = { group: spec.group, rows: [] }));
    entry.rows.push([keys, spec.menu && !spec.keys ? `${spec.title} (desktop app)` : spec.title]);
  }
  return groups;
}
