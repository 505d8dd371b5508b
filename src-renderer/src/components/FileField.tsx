import { useEffect, useRef, useState } from 'react';
import type { DirectoryListing, FileKind } from '../../../src-shared/api';
import { api } from '../api-client';
import { shortDuration, useFilePreview } from '../file-preview';
import { FILE_EXTENSIONS } from '../../../src-shared/file-kinds';

export interface FileFieldProps {
  label: string;
  kind: FileKind;
  value: string;
  desktop: boolean;
  onLoad(path: string): void;
  /** Text of the submit button (default "Load"). */
  action?: string;
  disabled?: boolean;
  /** A second button that acts on the typed path (it may be empty), e.g. Save beside Open. */
  extra?: { label: string; run(text: string): void };
  /** Batch lists: Pick files… takes several at once (each is passed to onLoad). */
  multiple?: boolean;
  /** What went wrong with the last file tried here: shown beside the field, which goes back to `value`. */
  error?: string | null;
  onDismissError?(): void;
}

/** The first sentence of an error in plain words; the rest (paths, tensor shapes) folded below. */
export function splitError(message: string): { summary: string; details: string | null } {
  // A message that says where its technical part starts ("… Details: tensor shapes") is cut there.
  const marked = message.indexOf(' Details: ');
  if (marked > 0) return { summary: message.slice(0, marked), details: message.slice(marked + 10) };
  const cut = message.search(/[.;:]\s/);
  if (cut < 0 || cut > 160)
    return { summary: message.slice(0, 200), details: message.length > 200 ? message : null };
  return { summary: message.slice(0, cut + 1), details: message };
}

/** The folder the browser last picked a file of this kind from, per kind. */
const lastFolderKey = (kind: FileKind) => `marionette.folder.${kind}`;
function lastFolder(kind: FileKind): string | null {
  try {
    return globalThis.localStorage?.getItem(lastFolderKey(kind)) ?? null;
  } catch {
    return null;
  }
}
function rememberFolder(kind: FileKind, file: string): void {
  try {
    globalThis.localStorage?.setItem(lastFolderKey(kind), file.replace(/[\\/][^\\/]*$/, '') || '/');
  } catch {
    /* not remembered */
  }
}

const PLACEHOLDER = {
  image: 'path to an image',
  video: 'path to a video',
  checkpoint: 'path to a .pth.tar checkpoint',
  project: 'path to a .marionette project',
};

/** A path field with Load, and Browse: the native dialog in the app, a folder browser in a browser. */
export function FileField({
  label,
  kind,
  value,
  desktop,
  onLoad,
  action = 'Load',
  disabled,
  extra,
  multiple = false,
  error,
  onDismissError,
}: FileFieldProps) {
  const [text, setText] = useState(value);
  const [browsing, setBrowsing] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  // A browser cannot name local paths: photos and clips can be sent to the host instead.
  const uploadable = !desktop && Boolean(api.upload) && (kind === 'image' || kind === 'video');
  // A failed load changes nothing: the field shows the last good file again.
  useEffect(() => setText(value), [value, error]);
  const shown = error ?? uploadError;
  const problem = shown ? splitError(shown) : null;
  const browse = async () => {
    if (!desktop) return setBrowsing(true);
    const picked = await api.invoke('openFileDialog', kind);
    if (picked) onLoad(picked);
  };
  return (
    <div className="file-field">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) onLoad(text.trim());
        }}
      >
        <label>
          {label}
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={PLACEHOLDER[kind]} />
        </label>
        <button type="submit" disabled={disabled}>
          {action}
        </button>
        <button type="button" disabled={disabled} onClick={() => void browse()}>
          Browse…
        </button>
        {uploadable && (
          <label className="button" title="Send a file from this computer to the studio (it keeps a copy)">
            {multiple ? 'Pick files…' : 'Pick a file…'}
            <input
              type="file"
              hidden
              multiple={multiple}
              disabled={disabled}
              accept={FILE_EXTENSIONS[kind].map((e) => `.${e}`).join(',')}
              aria-label={
                multiple
                  ? `Pick ${kind === 'image' ? 'photos' : 'clips'} to upload`
                  : `Pick a ${kind === 'image' ? 'photo' : 'clip'} to upload`
              }
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                const upload = api.upload;
                if (!files.length || !upload) return;
                setUploading(true);
                setUploadError(null);
                // One at a time, in the order picked; a bad file is reported and the rest go on.
                void files
                  .reduce(
                    (done, file) =>
                      done.then(() =>
                        upload(file, kind).then(onLoad, (err: Error) => setUploadError(err.message)),
                      ),
                    Promise.resolve(),
                  )
                  .finally(() => setUploading(false));
              }}
            />
          </label>
        )}
        {uploading && <span className="meta">uploading…</span>}
        {extra && (
          <button type="button" disabled={disabled} onClick={() => extra.run(text.trim())}>
            {extra.label}
          </button>
        )}
      </form>
      {problem && (
        <div className="field-error" role="alert" aria-label={`${label} error`}>
          {problem.summary}
          {(onDismissError || uploadError) && (
            <button
              type="button"
              onClick={() => {
                setUploadError(null);
                onDismissError?.();
              }}
              aria-label="Dismiss"
            >
              ×
            </button>
          )}
          {problem.details && (
            <details>
              <summary>Details</summary>
              <code>{problem.details}</code>
            </details>
          )}
        </div>
      )}
      {browsing && (
        <FolderBrowser
          kind={kind}
          onPick={(p) => {
            setBrowsing(false);
            rememberFolder(kind, p);
            onLoad(p);
          }}
          onClose={() => setBrowsing(false)}
        />
      )}
    </div>
  );
}

function FolderBrowser({
  kind,
  onPick,
  onClose,
}: {
  kind: FileFieldProps['kind'];
  onPick(path: string): void;
  onClose(): void;
}) {
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = (dir: string | null) => {
    api.invoke('listDirectory', dir).then(setListing, (err: Error) =>
      // A remembered folder that is gone: start from home instead.
      dir !== null && dir === lastFolder(kind) ? open(null) : setError(err.message),
    );
  };
  useEffect(() => open(lastFolder(kind)), [kind]);
  // Esc closes it wherever the focus is, as a file dialog does.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    // Capture: before any other key handler of the page.
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  const dialog = useRef<HTMLDivElement>(null);
  // The keyboard starts in the list: the first entry has the focus once the folder is read.
  useEffect(() => dialog.current?.querySelector<HTMLButtonElement>('li button')?.focus(), [listing]);
  return (
    <div
      ref={dialog}
      className="folder-browser"
      role="dialog"
      aria-label="Choose a file"
      onKeyDown={(e) => {
        // The arrow keys move through the list, as in a file dialog.
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('li button')];
          const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
          buttons[Math.min(buttons.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
        }
      }}
    >
      <header>
        <span>{listing?.path ?? '…'}</span>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      {error && <p role="alert">{error}</p>}
      <ul>
        {listing?.parent && (
          <li>
            <button type="button" onClick={() => open(listing.parent)}>
              ⬑ ..
            </button>
          </li>
        )}
        {listing?.entries
          .filter((e) => e.kind === 'folder' || e.kind === kind)
          .map((e) => (
            <li key={e.path}>
              <button type="button" onClick={() => (e.kind === 'folder' ? open(e.path) : onPick(e.path))}>
                {e.kind === 'folder' ? (
                  '📁 '
                ) : (
                  <EntryPreview path={e.path} media={e.kind === 'image' || e.kind === 'video'} />
                )}
                {e.name}
              </button>
            </li>
          ))}
      </ul>
    </div>
  );
}

/** A photo's or clip's first frame beside its name, and a clip's duration. */
function EntryPreview({ path, media }: { path: string; media: boolean }) {
  const preview = useFilePreview(api, media ? path : null);
  if (!media) return null;
  return (
    <span className="entry-preview">
      {preview ? <img src={preview.image} alt="" /> : <span className="entry-thumb" />}
      {preview?.duration != null && <span className="entry-duration">{shortDuration(preview.duration)}</span>}
    </span>
  );
}
