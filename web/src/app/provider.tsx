import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { isPlatformApiError } from '../api/errors';
import { AuthProvider } from '../auth/session';
import { supabase } from '../auth/supabase';
import { cspNonce } from './page-meta';

const theme = createTheme({
  primaryColor: 'blue',
  // Filled buttons in blue-8: white text at 5:1 (blue-6 is 3.5:1, under WCAG AA).
  primaryShade: 8,
  defaultRadius: 'md',
  components: {
    // The × of every dialog says what it does to a screen reader (axe: button-name). Plain objects,
    // not Modal.extend(): importing the components here would pull them into the entry chunk (+25 kB).
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the dialog' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the panel' } } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the notification' } } },
  },
});

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error) => {
      // The session was revoked elsewhere (sign out everywhere, disabled account): back to sign-in.
      if (isPlatformApiError(error) && error.status === 401) void supabase.auth.signOut({ scope: 'local' });
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // Client errors (4xx) will not get better by repeating them.
      retry: (count, error) => !(isPlatformApiError(error) && error.status < 500) && count < 2,
    },
  },
});

export function AppProvider({ children }: { children: ReactNode }) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" getStyleNonce={cspNonce}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <AuthProvider>{children}</AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
