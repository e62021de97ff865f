import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app/app.css';
import { setNonce } from 'get-nonce';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProvider } from './app/provider';
import { cspNonce } from './app/page-meta';
import { AppRouter } from './app/router';

// Mantine's modals lock scrolling with a <style> element (react-remove-scroll); it takes its CSP
// nonce from get-nonce. Mantine's own <style> elements get it through MantineProvider.
setNonce(cspNonce());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <AppProvider>
      <AppRouter />
    </AppProvider>
  </StrictMode>,
);
