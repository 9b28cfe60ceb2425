import { type FocusEvent, useEffect, useRef } from 'react';

/**
 * Keeps the keyboard in a part of the page whose controls change under it: when the focused
 * control goes (Pay once a row is paid, the Paid badge once it is unpaid again, a paid row of
 * a list), the part's first button takes the focus, rather than the top of the page. `changes`
 * are the values whose change may take a control away.
 */
export function useFocusStaysWithin<Element extends HTMLElement>(changes: unknown[]) {
  const ref = useRef<Element>(null);
  const hadFocus = useRef(false);

  useEffect(() => {
    const element = ref.current;
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (hadFocus.current && element && lost) {
      element.querySelector<HTMLElement>('button')?.focus();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what matters
  }, changes);

  return {
    ref,
    onFocus: () => {
      hadFocus.current = true;
    },
    onBlur: (event: FocusEvent) => {
      const left = event.target;
      // A control removed from the page takes the focus with it; that is not leaving.
      requestAnimationFrame(() => {
        if (left.isConnected && !ref.current?.contains(document.activeElement)) {
          hadFocus.current = false;
        }
      });
    },
  };
}
