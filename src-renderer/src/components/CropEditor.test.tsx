// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { CropEditor } from './CropEditor';
import { modelSummary } from '../test-fixtures';
import { framingNote } from './FramingControls';

const frame = { image: 'data:image/png;base64,', width: 800, height: 600 };

describe('CropEditor', () => {
  it('moves and resizes the square with the keyboard, inside the frame', () => {
    const onChange = vi.fn();
    render(
      <CropEditor
        label="Source"
        frame={frame}
        crop={{ x: 100, y: 100, size: 400 }}
        faces={[]}
        onChange={onChange}
      />,
    );
    const box = screen.getByRole('slider', { name: 'Source crop box' });
    expect(box.getAttribute('data-crop')).toBe('100,100,400');
    fireEvent.keyDown(box, { key: 'ArrowRight' });
    expect(onChange).toHaveBeenLastCalledWith({ x: 108, y: 100, size: 400 });
    fireEvent.keyDown(box, { key: '-' });
    expect(onChange).toHaveBeenLastCalledWith({ x: 108, y: 108, size: 384 });
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(onChange).toHaveBeenLastCalledWith({ x: 100, y: 92, size: 400 });
  });

  it('never proposes a square outside the frame', () => {
    const onChange = vi.fn();
    render(
      <CropEditor
        label="Driving"
        frame={frame}
        crop={{ x: 200, y: 0, size: 600 }}
        faces={[]}
        onChange={onChange}
      />,
    );
    const box = screen.getByRole('slider', { name: 'Driving crop box' });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(onChange).toHaveBeenLastCalledWith({ x: 200, y: 0, size: 600 });
    fireEvent.keyDown(box, { key: '+' });
    expect(onChange).toHaveBeenLastCalledWith({ x: 200, y: 0, size: 600 });
  });

  it('outlines the detected faces', () => {
    const { container } = render(
      <CropEditor
        label="Source"
        frame={frame}
        crop={{ x: 0, y: 0, size: 600 }}
        faces={[{ x: 10, y: 20, width: 100, height: 120 }]}
        onChange={() => undefined}
      />,
    );
    expect(container.querySelectorAll('.face-box')).toHaveLength(1);
  });
});

describe('framingNote', () => {
  const model = (category: string | null) => modelSummary({ category });
  const proposal = (
    method: 'face' | 'centre',
    detected = 0,
    sampled = 0,
    sidewaysTurn: 90 | null = null,
  ) => ({
    width: 100,
    height: 100,
    crop: { x: 0, y: 0, size: 100 },
    method,
    faces: [],
    sampled,
    detected,
    track: null,
    faceCrops: [],
    faceSeen: null,
    sidewaysTurn,
  });

  it('says what framing found, and why a box is centred', () => {
    expect(framingNote('source', model('face'), proposal('face', 1, 1))).toBe('face found');
    expect(framingNote('source', model('face'), proposal('face', 3, 1))).toBe(
      '3 faces found, the largest framed: click a face to frame it instead',
    );
    expect(framingNote('driving', model('vox-256'), proposal('face', 9, 12))).toBe(
      'face in 9 of 12 sampled frames',
    );
    expect(framingNote('source', model('face'), proposal('centre'))).toBe(
      'no face found: centred square, drag to adjust',
    );
    expect(framingNote('source', model('face'), proposal('centre', 0, 1, 90))).toMatch(
      /no face found upright — the photo looks turned 90°/,
    );
    expect(framingNote('source', model('taichi-256'), proposal('centre'))).toBe('centred (not a face model)');
    expect(framingNote('source', model('face'), null)).toBe('');
  });
});
