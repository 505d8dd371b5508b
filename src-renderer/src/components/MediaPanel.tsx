import type { ReactNode } from 'react';
import type { FileKind } from '../../../src-shared/api';
import type { KeypointsJson } from '../../../src-shared/inspect';
import { FileField } from './FileField';
import { KeypointImage } from './KeypointImage';

export interface MediaPanelProps {
  /** Section heading, e.g. "Source image". */
  title: string;
  /** The path field's label and the image's name, e.g. "Source". */
  field: string;
  imageLabel: string;
  kind: FileKind;
  path: string;
  desktop: boolean;
  image: string | null;
  keypoints: KeypointsJson | null;
  /** The side of the model image the keypoints were found on. */
  modelSize?: number;
  showKeypoints: boolean;
  onLoad(path: string): void;
  /** A file dropped on the panel: its local path in the desktop app, null in a browser. */
  onDrop(file: File): void;
  /** Why the last file tried here could not be used (the panel keeps the last good one). */
  error?: string | null;
  onDismissError?(): void;
  children?: ReactNode;
}

/** One input of the animation (the photo or the clip): its file, what the model sees, and its keypoints. */
export function MediaPanel(props: MediaPanelProps) {
  const id = `${props.field.toLowerCase()}-heading`;
  return (
    <section
      className={`panel ${props.field.toLowerCase()}`}
      aria-labelledby={id}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        const file = e.dataTransfer.files[0];
        if (file) props.onDrop(file);
      }}
    >
      <h2 id={id}>{props.title}</h2>
      <FileField
        label={props.field}
        kind={props.kind}
        value={props.path}
        desktop={props.desktop}
        onLoad={props.onLoad}
        error={props.error ?? null}
        {...(props.onDismissError ? { onDismissError: props.onDismissError } : {})}
      />
      <KeypointImage
        src={props.image}
        keypoints={props.keypoints}
        {...(props.modelSize ? { modelSize: props.modelSize } : {})}
        label={props.imageLabel}
        showKeypoints={props.showKeypoints}
      />
      {props.children}
    </section>
  );
}
