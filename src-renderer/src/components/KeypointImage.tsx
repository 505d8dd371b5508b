import { useEffect, useRef } from 'react';
import type { KeypointsJson } from '../../../src-shared/inspect';
import { drawKeypoints } from '../draw/keypoints';

export interface KeypointImageProps {
  src: string | null;
  keypoints: KeypointsJson | null;
  label: string;
  showKeypoints: boolean;
  size?: number;
  /** The model image's side (the keypoints' grid); the picture is drawn scaled to `size`. */
  modelSize?: number;
}

/**
 * An image at model resolution with a separate canvas layer for keypoints and Jacobian ellipses.
 * It fills its pane's width (square, up to the window's height); `size` is the canvas's drawing
 * resolution, which the browser scales with the picture.
 */
export function KeypointImage({
  src,
  keypoints,
  label,
  showKeypoints,
  size = 256,
  modelSize,
}: KeypointImageProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    if (keypoints && showKeypoints) drawKeypoints(ctx, keypoints, size, size, modelSize ?? size);
    else ctx.clearRect(0, 0, size, size);
  }, [keypoints, showKeypoints, size, modelSize]);
  return (
    <figure className="frame">
      {src ? <img src={src} alt={label} /> : <div className="placeholder">{label}</div>}
      <canvas
        ref={canvas}
        width={size}
        height={size}
        aria-label={`${label} keypoints`}
        data-keypoints={keypoints && showKeypoints ? keypoints.value.length / 2 : 0}
      />
    </figure>
  );
}
