import { useEffect, useRef, useState } from 'react';

/**
 * Returns a stable `schedule` that calls the latest `callback` at the next animation frame, once however often it
 * was scheduled before then. Nothing runs after unmount.
 */
export function useNextFrame(callback: (() => void) | undefined): () => void {
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  }, [callback]);
  const [frames] = useState(() => {
    let frame: number | undefined;
    return {
      schedule() {
        if (frame !== undefined) return;
        frame = requestAnimationFrame(() => {
          frame = undefined;
          latest.current?.();
        });
      },
      cancel() {
        if (frame !== undefined) cancelAnimationFrame(frame);
        frame = undefined;
      },
    };
  });
  useEffect(() => frames.cancel, [frames]);
  return frames.schedule;
}
