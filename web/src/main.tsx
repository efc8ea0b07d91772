import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { ApiError } from './api/client.js';
import { DEFAULT_OVERVIEW, meQuery, overviewPageQuery } from './api/hooks.js';
import { parseRoute } from './router.js';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers will not change on retry; network blips and 5xx get two more tries.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

// Opening the overview, the reader waits for who is signed in, the page's code and its first page of partners: ask for
// all three at once instead of one after the other (App starts the code). If nobody is signed in, both answers are
// 401s and the sign-in page shows, as it would anyway; signing in forgets them.
if (parseRoute(window.location.hash).page === 'overview') {
  void queryClient.prefetchQuery(meQuery);
  void queryClient.prefetchQuery(overviewPageQuery(DEFAULT_OVERVIEW, 0));
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
