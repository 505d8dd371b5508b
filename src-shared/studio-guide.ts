/**
 * Pure rules the studio guides the user with: which model a start selects, why Render is not
 * available yet, and how far the whole queue is.
 */
import type { ModelSummary, QueueItem } from './api.js';
import { subjectFor } from './framing/schema.js';
import { modelSubject, type ModelSubject } from './model-manifest.js';

/** The model to select: the one last used if it is still installed, else the first face model, else the first. */
export function initialModelId(models: readonly ModelSummary[], remembered: string | null): string | null {
  if (remembered && models.some((m) => m.id === remembered)) return remembered;
  return (models.find((m) => subjectFor(m) === 'face') ?? models[0])?.id ?? null;
}

/** Why Render cannot run yet, in the order the user fixes it; null when it can. */
export function renderBlocker(state: {
  model: boolean;
  source: boolean;
  driving: boolean;
  output: string;
  busy?: string | null;
}): string | null {
  if (!state.model) return 'Choose a model first';
  if (!state.source) return 'Step 1: pick a photo (Source image)';
  if (!state.driving) return 'Step 2: load a driving clip';
  if (!state.output.trim()) return 'Name the output file';
  if (state.busy) return state.busy;
  return null;
}

export interface QueueProgress {
  /** Renders not yet ended (queued or running). */
  pending: number;
  done: number;
  failed: number;
  /** 0-1 over the jobs of this batch: ended ones count whole, the running one by its frames. */
  fraction: number;
  /** Seconds left for the running render at its current rate, plus as long again per queued one. */
  etaSeconds: number | null;
}

export function queueProgress(items: readonly QueueItem[]): QueueProgress {
  const active = items.filter((i) => i.state === 'queued' || i.state === 'running');
  const ended = items.filter((i) => i.state === 'done' || i.state === 'failed' || i.state === 'cancelled');
  const running = items.find((i) => i.state === 'running');
  const runningShare = running && running.total > 0 ? running.done / running.total : 0;
  const all = active.length + ended.length;
  const fraction = all ? (ended.length + runningShare) / all : 0;
  let eta: number | null = null;
  if (running && running.fps > 0 && running.stage === 'render' && running.total > running.done) {
    const left = (running.total - running.done) / running.fps;
    const perJob = running.total / running.fps;
    eta = Math.ceil(left + perJob * (active.length - 1));
  }
  return {
    pending: active.length,
    done: items.filter((i) => i.state === 'done').length,
    failed: items.filter((i) => i.state === 'failed').length,
    fraction,
    etaSeconds: eta,
  };
}

/** What a model is for, in plain words, and how good to expect it to be. */
export function modelPurpose(
  m: Pick<ModelSummary, 'category' | 'origin' | 'name'> & { subject?: ModelSubject },
): {
  purpose: string;
  quality: string;
} {
  const subject = modelSubject(m);
  const purpose =
    subject === 'face'
      ? 'For faces: a portrait photo animated by a talking-head clip.'
      : subject === 'other'
        ? 'For cartoon characters and other subjects (drawn animals and figures on a plain background).'
        : 'For whole bodies (dance, Tai-Chi, actions). Experimental on real photos: faces vanish, torsos smear.';
  const quality =
    m.origin === 'bundled'
      ? 'Small and trained on a laptop-class CPU: expect blur. For the published quality import vox-cpk.pth.tar (faces) or taichi-cpk.pth.tar (bodies).'
      : 'Imported published weights: the quality of the paper.';
  return { purpose, quality };
}

/** The held-out metrics in words (lower is better for all three). */
export const METRIC_MEANINGS: Record<string, string> = {
  l1: 'L1: average pixel error when rebuilding held-out clips (0 is perfect)',
  akd: 'AKD: how far, in pixels, face landmarks of the rebuilt frames land from the real ones',
  aed: 'AED: how much the rebuilt face looks like someone else (identity distance)',
};

export interface ModelSuggestion {
  /** The model to offer. */
  id: string;
  name: string;
  /** Why, in one plain sentence. */
  reason: string;
}

/**
 * Whether to offer another model for this photo: a face model when a face was seen and the
 * selected model is not made for faces; a body model when a face model is selected and the photo
 * shows no face. `faceSeen` null (not looked for yet) or no better model installed: no offer.
 */
export function modelSuggestion(
  models: readonly ModelSummary[],
  selectedId: string | null,
  faceSeen: boolean | null,
): ModelSuggestion | null {
  const selected = models.find((m) => m.id === selectedId);
  if (!selected || faceSeen === null) return null;
  const isFace = (m: ModelSummary) => subjectFor(m) === 'face';
  // Bundled models first: they are what a new user has.
  const ranked = [...models].sort((a, b) => Number(b.origin === 'bundled') - Number(a.origin === 'bundled'));
  if (faceSeen && !isFace(selected)) {
    const face = ranked.find(isFace);
    return face
      ? {
          id: face.id,
          name: face.name,
          reason: `A face was found in the photo: ${face.name} is made for faces.`,
        }
      : null;
  }
  if (!faceSeen && isFace(selected)) {
    const other = ranked.find((m) => !isFace(m));
    return other
      ? {
          id: other.id,
          name: other.name,
          reason: `No face was found in the photo: ${selected.name} is made for faces; ${other.name} animates whole bodies and other subjects.`,
        }
      : null;
  }
  return null;
}

/**
 * Paste-back by default for face models only: a body's limbs move far outside the crop, where the
 * photo around it cannot follow, so pasted back they smear. Choosing a model applies this; the
 * user may still turn it on (the studio then warns, `pasteBackWarning`).
 */
export function pasteBackDefault(subject: ModelSummary['subject']): boolean {
  return subject === 'face';
}

export function pasteBackWarning(subject: ModelSummary['subject'] | null, pasteBack: boolean): string | null {
  if (!pasteBack || subject === null || subject === 'face') return null;
  return 'Pasted back, a body’s limbs moving beyond the crop may smear: paste-back is off by default for body models.';
}
