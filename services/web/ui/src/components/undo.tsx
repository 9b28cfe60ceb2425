import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../api/errors';

interface UndoToast {
  /** What just happened, e.g. "Rent paid: $1,200.00". */
  message: string;
  /** Reverts it on the server; the toast says so when it worked or why not. */
  undo: () => Promise<unknown>;
  /** Shown once the undo worked. */
  undone: string;
}

const UNDO_SECONDS = 10;

/**
 * A toast with an Undo button for a change that has already been made. The notifications are
 * rendered outside the app's providers, so `undo` is a plain function, not a hook.
 *
 * The toast comes last in the tab order (keyboard users reach Undo with Tab, and the toast
 * waits while it has the focus); once undone, the focus goes back where it was, or, when that
 * control is gone, to the first button of its `data-focus-home` (a tracker row).
 */
export function showUndo({ message, undo, undone }: UndoToast) {
  const id = `undo-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const home = focused?.closest<HTMLElement>('[data-focus-home]') ?? null;

  const revert = async () => {
    notifications.update({ id, message, loading: true, autoClose: false, withCloseButton: false });
    let outcome;
    try {
      await undo();
      outcome = { color: 'teal', message: undone, autoClose: 4000 };
    } catch (error) {
      outcome = {
        color: 'red',
        title: 'Could not undo',
        message: errorMessage(error),
        autoClose: 8000,
      };
    }
    // A new toast rather than an update: an updated toast keeps its old timer (none here).
    notifications.hide(id);
    notifications.show(outcome);
    focusBack(focused, home);
  };

  notifications.show({
    id,
    color: 'teal',
    autoClose: UNDO_SECONDS * 1000,
    message: (
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm">{message}</Text>
        <Button size="compact-sm" variant="light" onClick={() => void revert()}>
          Undo
        </Button>
      </Group>
    ),
  });
}

/** A toast for a change that failed, with the server's reason. */
export function showFailure(title: string, error: unknown) {
  notifications.show({ color: 'red', title, message: errorMessage(error), autoClose: 8000 });
}

function focusBack(focused: HTMLElement | null, home: HTMLElement | null) {
  if (focused?.isConnected && focused !== document.body) {
    focused.focus();
  } else if (home?.isConnected) {
    home.querySelector<HTMLElement>('button')?.focus();
  }
}
