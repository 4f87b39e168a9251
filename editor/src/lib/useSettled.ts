import { useEffect, useState } from 'react';

/** A value once it stops changing for `ms`: a list is asked again when typing pauses, not at every key. */
export function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
