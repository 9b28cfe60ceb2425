import { createTheme, localStorageColorSchemeManager } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'teal',
  defaultRadius: 'md',
});

/** Remembers the reader's light / dark / auto choice in this browser. */
export const colorSchemeManager = localStorageColorSchemeManager({
  key: 'billtracker-color-scheme',
});
