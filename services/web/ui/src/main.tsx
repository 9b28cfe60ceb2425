import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';

import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { prefetchCsrfToken } from './api/client';
import { queryClient } from './api/queryClient';
import { instanceCurrency } from './money/currency';
import { setCurrency } from './money/format';
import { router } from './router';
import { colorSchemeManager, theme } from './theme';

const root = document.getElementById('root');
if (!root) {
  throw new Error('index.html has no #root element');
}

prefetchCsrfToken();

// Every amount is formatted in the instance currency: known before anything is rendered.
setCurrency(await instanceCurrency(queryClient));

createRoot(root).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      colorSchemeManager={colorSchemeManager}
      defaultColorScheme="auto"
    >
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
