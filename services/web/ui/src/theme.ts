import { createTheme, localStorageColorSchemeManager, Notification } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'teal',
  defaultRadius: 'md',
  components: {
    // A toast's close button has only an icon: name it for screen readers.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss' } },
    }),
  },
});

/** Remembers the reader's light / dark / auto choice in this browser. */
export const colorSchemeManager = localStorageColorSchemeManager({
  key: 'billtracker-color-scheme',
});
