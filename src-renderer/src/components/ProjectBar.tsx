import { api } from '../api-client';
import { useProjectFile } from '../stores/project-file';
import { FileField } from './FileField';

/** Open and save `.marionette` projects: a path field with Open / Browse / Save, and Save as… in the app. */
export function ProjectBar({ desktop }: { desktop: boolean }) {
  const { path, status, busy, recent, open, save, saveAs } = useProjectFile();
  return (
    <div className="project-bar">
      <FileField
        label="Project"
        kind="project"
        value={path ?? ''}
        desktop={desktop}
        action="Open"
        disabled={busy}
        onLoad={(p) => void open(api, p)}
        extra={{ label: 'Save', run: (typed) => void save(api, typed || undefined) }}
      />
      {recent.length > 0 && (
        <label className="recent">
          Recent
          <select
            aria-label="Recent projects"
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && void open(api, e.target.value)}
          >
            <option value="">{recent.length} recent…</option>
            {recent.map((file) => (
              <option key={file} value={file} title={file}>
                {file.split(/[\\/]/).pop()}
              </option>
            ))}
          </select>
        </label>
      )}
      {desktop && (
        <button type="button" disabled={busy} onClick={() => void saveAs(api)}>
          Save as…
        </button>
      )}
      <span role="status" className="meta">
        {status}
      </span>
    </div>
  );
}
