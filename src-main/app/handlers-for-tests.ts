/** The API's handlers over a test's own home and queue, with an engine that is not used. */
import path from 'node:path';
import type { ApiEvent, ApiHandlers } from '../../src-shared/api.js';
import type { ModelPlaces } from '../engine/model-catalog.js';
import { createHandlers, type DesktopShell } from './handlers.js';
import type { JobQueue } from './job-queue.js';
import { RecentProjects } from './recent-projects.js';

const unused = () => Promise.reject(new Error('not used here'));

export function handlersForTest(o: {
  home: string;
  queue: JobQueue;
  models: ModelPlaces;
  shell?: DesktopShell | null;
  notify?(event: ApiEvent): void;
}): ApiHandlers {
  return createHandlers({
    appVersion: 'test',
    engine: { inspect: unused, frame: unused, live: unused },
    queue: o.queue,
    recent: new RecentProjects(path.join(o.home, 'recent-projects.json')),
    shell: o.shell ?? null,
    notify: o.notify ?? (() => undefined),
    homeDir: o.home,
    models: o.models,
  });
}
